// Entry of the job process under Electron's utilityProcess (filled in by the services issue).
export {};

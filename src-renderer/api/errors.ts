// Turns any failure into plain words plus what to do, for the error banner.
export interface PlainError {
  title: string;
  detail: string;
  hint: string;
}

const hints: Record<string, string> = {
  UNAUTHORIZED:
    'The server was probably restarted (each start prints a new token): paste its new address in the Reconnect box, or open that address.',
  HTTP_401:
    'The server was probably restarted (each start prints a new token): paste its new address in the Reconnect box, or open that address.',
  FORBIDDEN: 'Only files inside the project folder or folders you opened can be used. Open the folder first.',
  HTTP_403: 'Only files inside the project folder or folders you opened can be used. Open the folder first.',
  NETWORK: 'Check that `cycledecon serve` (or the app) is still running, then reload.',
  INVALID_REQUEST: 'One of the values entered is not accepted; correct the highlighted field and try again.',
  OUT_OF_MEMORY: 'Use a smaller preset, a smaller tile size, or crop the stack; then retry.',
  TIFF_FORMAT: 'The file is not a readable TIFF stack. Export it again as a TIFF (ImageJ or OME-TIFF) and re-import.',
  FILE_NOT_FOUND: 'The file was moved or deleted. Re-import it from its new location.',
  NO_PROJECT: 'Create or open a project first (Projects page).',
};

export function plainError(e: unknown, action = 'The operation'): PlainError {
  const err = e as { code?: string; message?: string; hint?: string } | null;
  const code = err?.code ?? '';
  const detail = err?.message ?? String(e);
  return {
    title: `${action} failed`,
    detail,
    hint:
      err?.hint ??
      hints[code] ??
      'If this keeps happening, open the Queue page to read the job log, or restart the app.',
  };
}

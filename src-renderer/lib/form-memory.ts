// The last choices of a form, per project (localStorage keyed by project id and form): a user who comes back
// to the Training view finds the data and preset of the last run, not the defaults. Ids that no longer exist
// in the project are the caller's to drop.

type Store = Pick<Storage, 'getItem' | 'setItem'>;

function storage(): Store | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled (privacy mode): forms start from their defaults
  }
}

const key = (projectId: string, form: string) => `cycledecon.form.${projectId}.${form}`;

/** The saved choices, or null when none were saved or they cannot be read back as an object. */
export function recallForm<T extends object>(
  projectId: string,
  form: string,
  store: Store | null = storage(),
): Partial<T> | null {
  const text = store?.getItem(key(projectId, form));
  if (!text) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Partial<T>) : null;
  } catch {
    return null;
  }
}

export function rememberForm(projectId: string, form: string, value: object, store: Store | null = storage()): void {
  try {
    store?.setItem(key(projectId, form), JSON.stringify(value));
  } catch {
    /* quota or disabled storage: remembering is a convenience */
  }
}

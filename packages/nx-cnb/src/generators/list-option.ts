/** A list option as the command line gives it ("a,b c") or as code passes it (["a", "b"]). */
export function listOption(value: string | string[] | undefined): string[] {
  const items = Array.isArray(value) ? value : (value ?? '').split(/[\s,]+/);
  return items.map((s) => s.trim()).filter(Boolean);
}

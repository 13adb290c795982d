/**
 * Debian version ordering, as dpkg compares versions (deb-version(7)):
 * [epoch:]upstream[-revision], each part compared by alternating runs of
 * non-digits (letters before other characters, "~" before everything, even
 * the end) and numbers.
 */
export function compareDebianVersions(a: string, b: string): number {
  const x = splitVersion(a);
  const y = splitVersion(b);
  return Math.sign(x.epoch - y.epoch) || compareFragment(x.upstream, y.upstream) || compareFragment(x.revision, y.revision);
}

function splitVersion(version: string): { epoch: number; upstream: string; revision: string } {
  const colon = version.indexOf(':');
  const epoch = colon > 0 ? Number(version.slice(0, colon)) || 0 : 0;
  const rest = colon > 0 ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/** dpkg's order of one character in a non-digit run: "~" first, then the end, then letters, then the rest. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = i < a.length && !isDigit(a[i]) ? a[i] : undefined;
      const bc = j < b.length && !isDigit(b[j]) ? b[j] : undefined;
      const diff = order(ac) - order(bc);
      if (diff) return Math.sign(diff);
      if (ac !== undefined) i++;
      if (bc !== undefined) j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && isDigit(a[i]) && j < b.length && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a[i])) return 1;
    if (j < b.length && isDigit(b[j])) return -1;
    if (firstDiff) return Math.sign(firstDiff);
  }
  return 0;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

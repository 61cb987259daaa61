import http from 'node:http';

export const DATA_URL = process.env.DATA_URL ?? 'http://127.0.0.1:4010';

/** A value from the data server through Next.js's data cache, with tags. */
export async function getValue(name: string, tags: string[]): Promise<string> {
  const res = await fetch(`${DATA_URL}/value/${encodeURIComponent(name)}`, { cache: 'force-cache', next: { tags } });
  const body = (await res.json()) as { value: string };
  return body.value;
}

/** A value read around Next.js's fetch (no data cache, no tags): for Pages Router pages. */
export function getValueDirect(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(`${DATA_URL}/value/${encodeURIComponent(name)}`, (res) => {
        let s = '';
        res.on('data', (c) => (s += c));
        res.on('end', () => resolve(JSON.parse(s).value));
      })
      .on('error', reject);
  });
}

/** Counts one render of `key` at the data server (outside Next.js's fetch, so the page stays static). */
export function countRender(key: string): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(`${DATA_URL}/render/${encodeURIComponent(key)}`, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  });
}

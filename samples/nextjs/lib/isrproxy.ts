// Purges pages in IsrProxy from the Next.js server, after its own revalidateTag / revalidatePath / updateTag.
// ISRPROXY_URL is the proxy as the Next.js server reaches it (http://isrproxy:8080 in Kubernetes or Compose);
// ISRPROXY_SECRET is the proxy's Isr:Secret.

export type PurgeMode = 'stale' | 'expire' | 'refresh';

/** Every page carrying the tag (from a rule's Tags or a Cache-Tag header). */
export async function purgeTag(tag: string, mode: PurgeMode = 'stale'): Promise<void> {
  await purge(`/_revalidate/tag/${encodeURIComponent(tag)}`, { mode });
}

/** One path (every query string and variant of it), or with type 'layout' the path and everything beneath it. */
export async function purgePath(path: string, type?: 'layout', mode: PurgeMode = 'stale'): Promise<void> {
  const segments = path.split('/').filter((s) => s.length > 0).map(encodeURIComponent);
  const target = segments.length === 0 ? '%2F' : segments.join('/');
  await purge(`/_revalidate/path/${target}`, type ? { mode, type } : { mode });
}

async function purge(endpoint: string, query: Record<string, string>): Promise<void> {
  const base = process.env.ISRPROXY_URL;
  const secret = process.env.ISRPROXY_SECRET;
  if (!base || !secret) {
    throw new Error('ISRPROXY_URL and ISRPROXY_SECRET must be set to purge IsrProxy.');
  }

  const url = new URL(endpoint, base);
  for (const [name, value] of Object.entries(query)) {
    url.searchParams.set(name, value);
  }

  const response = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}` },
    cache: 'no-store',
  });
  if (!response.ok) {
    throw new Error(`IsrProxy answered ${response.status} to ${url.pathname}: ${await response.text()}`);
  }
}

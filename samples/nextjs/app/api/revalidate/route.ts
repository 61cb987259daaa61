// The CMS webhook: POST /api/revalidate?tag=collection with "Authorization: Bearer <CMS_WEBHOOK_SECRET>".
// First Next.js's own cache, then IsrProxy's, so the proxy's regeneration gets a fresh render from Next.js.
import { timingSafeEqual } from 'node:crypto';
import { revalidateTag } from 'next/cache';
import type { NextRequest } from 'next/server';
import { purgeTag } from '@/lib/isrproxy';

export async function POST(request: NextRequest) {
  if (!authorized(request.headers.get('authorization'), process.env.CMS_WEBHOOK_SECRET)) {
    return Response.json({ message: 'Invalid token' }, { status: 401 });
  }

  const tag = request.nextUrl.searchParams.get('tag');
  if (!tag) {
    return Response.json({ message: 'tag: a tag to revalidate is required.' }, { status: 400 });
  }

  // Expire Next.js's entries outright: with the 'max' profile Next.js would answer the proxy's next request with its
  // stale copy, and the proxy would keep that as the new page. (Next.js 14 and 15: revalidateTag(tag).)
  revalidateTag(tag, { expire: 0 });
  // The proxy serves the old page once more and regenerates it in the background from Next.js.
  await purgeTag(tag);
  return Response.json({ revalidated: true, now: Date.now() });
}

function authorized(header: string | null, secret: string | undefined): boolean {
  if (!header || !secret) {
    return false;
  }

  const given = Buffer.from(header);
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

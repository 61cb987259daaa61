import { revalidatePath, revalidateTag } from 'next/cache';

// POST /api/revalidate?tag=items[&profile=max]   or   ?path=/tagged[&type=page|layout]
export async function POST(request: Request) {
  const url = new URL(request.url);
  const tag = url.searchParams.get('tag');
  const path = url.searchParams.get('path');
  if (tag) {
    if (url.searchParams.get('profile') === 'max') revalidateTag(tag, 'max');
    else revalidateTag(tag, { expire: 0 });
  }
  if (path) {
    const type = url.searchParams.get('type');
    revalidatePath(path, type === 'layout' || type === 'page' ? type : undefined);
  }
  return Response.json({ revalidated: true, tag, path, now: Date.now() });
}

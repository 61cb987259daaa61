import { draftMode } from 'next/headers';

export async function GET(request: Request) {
  const url = new URL(request.url);
  const draft = await draftMode();
  if (url.searchParams.get('off') !== null) draft.disable();
  else draft.enable();
  return Response.json({ draft: draft.isEnabled });
}

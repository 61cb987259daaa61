// A GET route handler with no caching headers, as webhooks and JSON APIs are: rendered on every request.
export async function GET() {
  return Response.json({ now: Date.now(), nonce: Math.random().toString(36).slice(2) });
}

import type { NextApiRequest, NextApiResponse } from 'next';

// POST /api/revalidate-legacy?id=1: on-demand ISR of a Pages Router page.
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const id = String(req.query.id ?? '1');
  try {
    await res.revalidate(`/legacy/${id}`);
    res.json({ revalidated: true, now: Date.now() });
  } catch (e) {
    res.status(500).json({ revalidated: false, message: e instanceof Error ? e.message : String(e) });
  }
}

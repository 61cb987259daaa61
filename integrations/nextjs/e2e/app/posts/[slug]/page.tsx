import { countRender } from '../../../lib/data';

// Used to count renders of a new slug.
export const revalidate = 60;

// none prerendered: every slug is rendered on its first request, then cached (dynamicParams is true)
export function generateStaticParams() {
  return [];
}

export default async function Post({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  await countRender(`post-${slug}`);
  await new Promise((r) => setTimeout(r, 300)); // a render that takes a while, so concurrent requests overlap
  return (
    <main id="page" data-rendered-at={Date.now()}>
      post {slug}
    </main>
  );
}

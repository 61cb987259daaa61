import { getValue } from '../../../lib/data';

// Only the listed slugs exist: any other answers 404.
export const dynamicParams = false;
export const revalidate = 60;

export function generateStaticParams() {
  return [{ slug: 'a' }, { slug: 'b' }];
}

export default async function Item({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const value = await getValue(`item-${slug}`, ['items', `item-${slug}`]);
  return (
    <main id="page" data-rendered-at={Date.now()} data-value={value}>
      item {slug}: {value}
    </main>
  );
}

import { countRender, getValue } from '../../lib/data';

// Cached until revalidated on demand; its data carries the tag "items".
export const revalidate = false;

export default async function Tagged() {
  await countRender('tagged');
  const value = await getValue('tagged', ['items']);
  return (
    <main id="page" data-rendered-at={Date.now()} data-value={value}>
      tagged: {value}
    </main>
  );
}

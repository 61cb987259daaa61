import { countRender, getValue } from '../../lib/data';

// Time-based ISR: fresh for 3 seconds after each render.
export const revalidate = 3;

export default async function Timed() {
  const started = Date.now();
  await countRender('timed');
  const value = await getValue('timed', ['timed']);
  return (
    <main id="page" data-rendered-at={Date.now()} data-render-ms={Date.now() - started} data-value={value}>
      timed: {value}
    </main>
  );
}

import { draftMode } from 'next/headers';
import { getValue } from '../../lib/data';

export const revalidate = false;

export default async function Draft() {
  const { isEnabled } = await draftMode();
  const value = await getValue('draft', ['draft']);
  return (
    <main id="page" data-draft={isEnabled ? 'yes' : 'no'} data-rendered-at={Date.now()} data-value={value}>
      draft mode: {isEnabled ? 'on' : 'off'}
    </main>
  );
}

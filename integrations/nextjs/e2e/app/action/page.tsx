import { updateTag } from 'next/cache';
import { DATA_URL, getValue } from '../../lib/data';

export const revalidate = false;

async function setValue(formData: FormData) {
  'use server';
  const value = String(formData.get('value') ?? '');
  await fetch(`${DATA_URL}/value/action?value=${encodeURIComponent(value)}`, { method: 'POST', cache: 'no-store' });
  updateTag('action');
}

export default async function ActionPage() {
  const value = await getValue('action', ['action']);
  return (
    <main id="page" data-rendered-at={Date.now()} data-value={value}>
      <p>action: {value}</p>
      <form action={setValue}>
        <input name="value" defaultValue="" />
        <button type="submit">Save</button>
      </form>
    </main>
  );
}

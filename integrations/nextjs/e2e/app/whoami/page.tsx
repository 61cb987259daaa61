import { headers } from 'next/headers';

// Dynamic (it reads the request's headers): Next.js answers it `private, no-store`.
export default async function WhoAmI() {
  const language = (await headers()).get('accept-language') ?? '';
  return (
    <main id="page" data-rendered-at={Date.now()} data-value={language}>
      you asked in {language}
    </main>
  );
}

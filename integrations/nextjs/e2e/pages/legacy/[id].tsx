import type { GetStaticPaths, GetStaticProps } from 'next';
import { countRender, getValueDirect } from '../../lib/data';

type Props = { id: string; value: string; renderedAt: number };

export const getStaticPaths: GetStaticPaths = async () => ({ paths: [{ params: { id: '1' } }], fallback: 'blocking' });

export const getStaticProps: GetStaticProps<Props> = async ({ params }) => {
  const id = String(params?.id);
  await countRender(`legacy-${id}`);
  const value = await getValueDirect(`legacy-${id}`);
  return { props: { id, value, renderedAt: Date.now() }, revalidate: 60 };
};

export default function Legacy({ id, value, renderedAt }: Props) {
  return (
    <main id="page" data-rendered-at={renderedAt} data-value={value}>
      legacy {id}: {value}
    </main>
  );
}

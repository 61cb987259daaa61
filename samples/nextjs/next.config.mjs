// Tags for IsrProxy: `next start` sends no cache tags of its own, so the site names them in a Cache-Tag header.
// Path parameters (:slug, :id) are filled in, giving each page a tag of its own next to its collection's.

/** @type {import('next').NextConfig} */
const nextConfig = {
  async headers() {
    return [
      { source: '/blog/:slug', headers: [{ key: 'Cache-Tag', value: 'blog, post-:slug' }] },
      { source: '/products/:id', headers: [{ key: 'Cache-Tag', value: 'collection, product-:id' }] },
    ];
  },
};

export default nextConfig;

// The site's data source: values the tests change, and a count of renders per page.
// GET /value/:name -> {"name","value"}; POST /value/:name?value=v sets it; POST /render/:key counts a render;
// GET /renders/:key -> {"count"}.
import http from 'node:http';

const values = new Map();
const renders = new Map();
const port = Number(process.env.DATA_PORT ?? 4010);

http
  .createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const [, kind, ...rest] = url.pathname.split('/');
    const name = decodeURIComponent(rest.join('/'));
    const send = (obj) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(obj));
    };
    if (kind === 'value' && req.method === 'GET') return send({ name, value: values.get(name) ?? 'initial' });
    if (kind === 'value' && req.method === 'POST') {
      values.set(name, url.searchParams.get('value') ?? '');
      return send({ name, value: values.get(name) });
    }
    if (kind === 'render' && req.method === 'POST') {
      renders.set(name, (renders.get(name) ?? 0) + 1);
      return send({ count: renders.get(name) });
    }
    if (kind === 'renders') return send({ count: renders.get(name) ?? 0 });
    res.writeHead(404).end();
  })
  .listen(port, '127.0.0.1', () => console.log(`data server on http://127.0.0.1:${port}`));

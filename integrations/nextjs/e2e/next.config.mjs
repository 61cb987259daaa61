import path from 'node:path';
import { withIsrProxy } from '@isrproxy/nextjs';

// The one line a site adds is withIsrProxy(...). turbopack.root is only here because this site links the package from
// the folder above it.
export default withIsrProxy({ turbopack: { root: path.join(import.meta.dirname, '..') } });

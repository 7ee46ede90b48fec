import { fileURLToPath } from 'node:url';

/** The page's static files (index.html, styles.css), served at `/`. */
export const publicDir = fileURLToPath(new URL('./public/', import.meta.url));

/** The compiled browser modules, served at `/assets/`. */
export const assetsDir = fileURLToPath(new URL('./dist/', import.meta.url));

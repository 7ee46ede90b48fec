/** The page's static files (index.html, styles.css), served at `/`. */
export declare const publicDir: string;

/** The compiled browser modules, served at `/assets/`. */
export declare const assetsDir: string;

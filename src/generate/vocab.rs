//! The fixed vocabulary every generated log draws from: endpoint templates
//! with their methods, sizes and latencies, search words, user agents,
//! referers and the paths a vulnerability scanner probes. Which of these a
//! given seed uses is decided in `world`.

/// What an endpoint serves, which decides who asks for it and whether nginx
/// answers it itself or proxies it to the upstream.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum EpKind {
    Page,
    Static,
    /// robots.txt, favicon, sitemap...: static but also fetched by crawlers.
    Meta,
    Api,
}

/// The kind of client, which decides its user agent, the endpoints it asks
/// for and its referers.
#[derive(Clone, Copy)]
pub(super) enum ClientKind {
    Browser,
    App,
    Bot,
    Tool,
}

const GET: &[(&str, u32)] = &[("GET", 1)];
const GET_POST: &[(&str, u32)] = &[("GET", 80), ("POST", 20)];
const LOGIN: &[(&str, u32)] = &[("GET", 55), ("POST", 45)];
const POST: &[(&str, u32)] = &[("POST", 1)];
const CRUD: &[(&str, u32)] = &[("GET", 82), ("PUT", 12), ("DELETE", 6)];
const USER: &[(&str, u32)] = &[("GET", 88), ("PUT", 10), ("PATCH", 2)];
const CART: &[(&str, u32)] = &[("GET", 60), ("POST", 30), ("DELETE", 10)];
const ITEM: &[(&str, u32)] = &[("PUT", 55), ("DELETE", 45)];
const SESSION: &[(&str, u32)] = &[("GET", 85), ("DELETE", 15)];

/// One endpoint template: path, kind, methods, relative popularity, typical
/// 200 body size, latency multiplier. In templates `{n:A:B}` is a random
/// integer in A..=B, `{w}` a search word, `{h}` a hex digest fixed per seed
/// (cache-busting file names), `{x}` a random hex token.
pub(super) struct Template {
    pub(super) path: &'static str,
    pub(super) kind: EpKind,
    pub(super) methods: &'static [(&'static str, u32)],
    pub(super) weight: f64,
    pub(super) size: u32,
    pub(super) lat: f64,
    /// Always present (the hot paths of incidents rely on these).
    pub(super) core: bool,
}

const fn t(
    path: &'static str,
    kind: EpKind,
    methods: &'static [(&'static str, u32)],
    weight: f64,
    size: u32,
    lat: f64,
    core: bool,
) -> Template {
    Template {
        path,
        kind,
        methods,
        weight,
        size,
        lat,
        core,
    }
}

use EpKind::{Api, Meta, Page, Static};

#[rustfmt::skip]
pub(super) const TEMPLATES: &[Template] = &[
    t("/", Page, GET, 60.0, 28_412, 1.5, true),
    t("/login", Page, LOGIN, 12.0, 6_210, 1.8, true),
    t("/logout", Page, GET, 2.0, 0, 0.8, false),
    t("/products", Page, GET, 25.0, 41_877, 1.6, true),
    t("/products/{n:1:4800}", Page, GET, 40.0, 22_300, 1.4, true),
    t("/products?category={w}&page={n:1:12}", Page, GET, 12.0, 39_120, 2.0, false),
    t("/search?q={w}", Page, GET, 10.0, 35_700, 2.5, false),
    t("/cart", Page, GET, 14.0, 12_044, 1.3, true),
    t("/checkout", Page, GET, 6.0, 15_320, 1.4, true),
    t("/account", Page, GET, 5.0, 9_880, 1.2, false),
    t("/account/orders", Page, GET, 3.0, 14_500, 1.7, false),
    t("/about", Page, GET, 2.0, 8_930, 1.0, false),
    t("/help/{w}", Page, GET, 2.0, 11_200, 1.0, false),
    t("/blog/{w}-{n:2:240}", Page, GET, 4.0, 18_700, 1.2, false),
    t("/static/app.{h}.js", Static, GET, 30.0, 184_233, 1.0, true),
    t("/static/vendor.{h}.js", Static, GET, 24.0, 412_904, 1.0, false),
    t("/static/main.{h}.css", Static, GET, 30.0, 52_118, 1.0, true),
    t("/static/img/logo.svg", Static, GET, 20.0, 3_412, 1.0, false),
    t("/static/img/hero.{h}.webp", Static, GET, 10.0, 96_540, 1.0, false),
    t("/static/fonts/inter-var.woff2", Static, GET, 8.0, 111_804, 1.0, false),
    t("/static/img/products/{n:1:4800}.jpg", Static, GET, 45.0, 48_000, 1.0, false),
    t("/favicon.ico", Meta, GET, 10.0, 15_086, 1.0, true),
    t("/robots.txt", Meta, GET, 2.0, 212, 1.0, true),
    t("/sitemap.xml", Meta, GET, 1.0, 48_330, 1.0, false),
    t("/apple-touch-icon.png", Meta, GET, 2.0, 7_524, 1.0, false),
    t("/.well-known/security.txt", Meta, GET, 0.3, 388, 1.0, false),
    t("/api/orders", Api, GET_POST, 14.0, 6_140, 1.6, true),
    t("/api/orders?id={n:10000:99999}", Api, GET, 10.0, 1_532, 1.0, true),
    t("/api/orders/{n:10000:99999}", Api, CRUD, 8.0, 1_610, 1.0, false),
    t("/api/users/{n:1:250000}", Api, USER, 10.0, 842, 0.8, true),
    t("/api/users/me", Api, GET, 18.0, 655, 0.6, false),
    t("/api/cart", Api, CART, 16.0, 2_210, 0.9, true),
    t("/api/cart/items", Api, POST, 6.0, 2_390, 1.1, false),
    t("/api/cart/items/{n:1:4800}", Api, ITEM, 3.0, 2_250, 1.0, false),
    t("/api/checkout", Api, POST, 5.0, 1_044, 4.0, true),
    t("/api/payments/intent", Api, POST, 4.0, 512, 3.0, false),
    t("/api/products?limit={n:10:50}&offset={n:0:400}", Api, GET, 14.0, 18_900, 1.8, false),
    t("/api/products/{n:1:4800}", Api, GET, 20.0, 3_120, 0.8, true),
    t("/api/products/{n:1:4800}/reviews", Api, GET, 6.0, 7_800, 1.5, false),
    t("/api/search?q={w}", Api, GET, 12.0, 9_400, 3.0, true),
    t("/api/recommendations?user={n:1:250000}", Api, GET, 8.0, 4_330, 2.5, false),
    t("/api/inventory/{n:1:4800}", Api, GET, 5.0, 188, 0.7, false),
    t("/api/session", Api, SESSION, 9.0, 402, 0.5, false),
    t("/api/auth/token", Api, POST, 4.0, 1_210, 1.7, true),
    t("/api/auth/refresh", Api, POST, 5.0, 1_180, 1.2, false),
    t("/api/notifications?since={n:1795000000:1795900000}", Api, GET, 7.0, 920, 0.7, false),
    t("/api/v2/feed?cursor={x}", Api, GET, 6.0, 12_600, 2.0, false),
    t("/api/events", Api, POST, 16.0, 0, 0.4, false),
    t("/api/config", Api, GET, 4.0, 2_048, 0.3, false),
    t("/graphql", Api, POST, 10.0, 5_430, 2.2, false),
];

pub(super) const WORDS: &[&str] = &[
    "shoes",
    "laptop",
    "coffee",
    "red+dress",
    "usb-c",
    "headphones",
    "garden",
    "desk+lamp",
    "kids",
    "sale",
    "winter+jacket",
    "backpack",
    "phone+case",
    "tea",
    "running",
    "gift+card",
    "monitor",
    "chair",
    "returns",
    "shipping",
];

pub(super) const BROWSER_UAS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.102 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
];
pub(super) const APP_UAS: &[&str] = &[
    "ShopApp/5.3.1 (iPhone; iOS 18.1; Scale/3.00)",
    "ShopApp/5.3.0 (Android 14; Pixel 7)",
    "okhttp/4.12.0",
    "Dalvik/2.1.0 (Linux; U; Android 13; SM-G991B Build/TP1A.220624.014)",
];
pub(super) const BOT_UAS: &[&str] = &[
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
];
pub(super) const TOOL_UAS: &[&str] = &[
    "curl/8.5.0",
    "curl/7.88.1",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "Wget/1.21.4",
    "PostmanRuntime/7.42.0",
];
pub(super) const PROBE_UAS: &[&str] = &["kube-probe/1.29", "ELB-HealthChecker/2.0"];
pub(super) const METRICS_UA: &str = "Prometheus/2.48.1";

pub(super) const SITES: &[&str] = &[
    "shop.example.com",
    "www.example.com",
    "store.example.net",
    "app.example.org",
];
pub(super) const EXTERNAL_REFERERS: &[&str] = &[
    "https://www.google.com/",
    "https://www.bing.com/",
    "https://duckduckgo.com/",
    "https://t.co/x7Qp2LmZ",
    "android-app://com.google.android.gm/",
    "https://www.facebook.com/",
];
pub(super) const INTERNAL_REFERER_PATHS: &[&str] = &[
    "/",
    "/",
    "/products",
    "/cart",
    "/checkout",
    "/search?q=shoes",
    "/account",
    "/products/1187",
    "/products/342",
    "/products/4021",
];

pub(super) const SCANNER_UAS: &[&str] = &[
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    "Mozilla/5.0 zgrab/0.x",
    "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36",
    "python-requests/2.25.1",
];
/// (method, path, status) as answered by nginx itself.
pub(super) const SCANNER_PATHS: &[(&str, &str, u16)] = &[
    ("GET", "/wp-login.php", 404),
    ("POST", "/wp-login.php", 404),
    ("GET", "/wp-admin/", 404),
    ("POST", "/xmlrpc.php", 404),
    ("GET", "/wp-content/plugins/wp-file-manager/readme.txt", 404),
    ("GET", "/.env", 404),
    ("GET", "/.env.production", 404),
    ("GET", "/.git/config", 403),
    ("GET", "/.git/HEAD", 403),
    ("GET", "/.svn/entries", 404),
    ("GET", "/.DS_Store", 404),
    ("GET", "/.aws/credentials", 404),
    ("GET", "/phpmyadmin/", 404),
    ("GET", "/pma/", 404),
    ("GET", "/admin/", 404),
    ("GET", "/administrator/", 404),
    ("GET", "/config.php", 404),
    ("GET", "/info.php", 404),
    ("GET", "/phpinfo.php", 404),
    ("GET", "/shell.php", 404),
    ("GET", "/backup.zip", 404),
    ("GET", "/db.sql", 404),
    ("GET", "/server-status", 403),
    ("GET", "/actuator/env", 404),
    ("GET", "/actuator/health", 404),
    ("GET", "/console/", 404),
    ("GET", "/manager/html", 404),
    ("GET", "/solr/admin/info/system", 404),
    ("GET", "/cgi-bin/luci", 404),
    ("POST", "/boaform/admin/formLogin", 404),
    ("GET", "/HNAP1/", 404),
    ("GET", "/owa/auth/logon.aspx", 404),
    (
        "GET",
        "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
        404,
    ),
    ("GET", "/index.php?s=/index/think/app/invokefunction", 404),
    ("GET", "/?XDEBUG_SESSION_START=phpstorm", 200),
    ("GET", "/login.action", 404),
    ("GET", "/api/v1/pods", 404),
    ("HEAD", "/", 200),
    ("GET", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 400),
];

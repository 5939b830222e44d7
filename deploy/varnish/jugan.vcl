vcl 4.1;
# Varnish in front of Jugan's gunicorn: reader pages and feeds served from memory, purged exactly
# when content changes. `make serve-cached` runs it (deploy/serve-cached); README, "Deployment".
#
# Why Varnish rather than nginx's proxy_cache: purging. Django names what each response shows in
# `Surrogate-Key` (digest/http_cache.py: week-12, post-345, topic-6, lists…), and one BAN here
# drops every cached object naming one of the keys sent (digest/purge.py), in either language,
# on every page of a list, for every query string. nginx's purge module removes one cache key
# (one URL) at a time: the app would have to know every address showing a post (its week's page
# and Markdown, the home page, each topic page and feed and their pagination, the search results,
# the sitemaps, twice for two languages…), and search results cannot be listed at all. Bans are
# built into Varnish (no module to install), checked at lookup, so a purged object is never
# served again, and testable over plain HTTP.
#
# The backend, and who may purge (acl purgers), come from backend.vcl, which the launcher writes
# beside its working files (found through vcl_path).

import std;

include "backend.vcl";

sub vcl_recv {
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.Surrogate-Key !~ "^[a-z0-9-]+( [a-z0-9-]+)*$") {
            return (synth(400, "Surrogate-Key: space-separated keys of a-z, 0-9 and -"));
        }
        # Checked against every object at its next lookup (and by the ban lurker meanwhile).
        # (No space in the regular expression: the ban's words are separated by spaces.)
        if (!std.ban("obj.http.Surrogate-Key ~ (^|\s)(" +
                regsuball(req.http.Surrogate-Key, " ", "|") + ")(\s|$)")) {
            return (synth(500, std.ban_error()));
        }
        return (synth(200, "Banned"));
    }
    # Our own flags come from here only, never from a client.
    if (req.restarts == 0) {
        unset req.http.X-Jugan-Refresh;
        unset req.http.X-Jugan-Stale-If-Error;
        unset req.http.X-Jugan-Shared;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, and anyone signed in (staff may be previewing drafts), always reach Django.
    # (The names of Django's session and language cookies: SESSION_COOKIE_NAME and
    # LANGUAGE_COOKIE_NAME, left at their defaults.)
    if (req.url ~ "^/admin(/|$)" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # An old English link: a reader arriving (no Referer from this site) at a Korean address who
    # chose English with the old switcher (cookie) or whose browser lists English first. Django
    # redirects them to the English address (digest/languages.py, the same rule), privately; the
    # Korean copy kept for the address must not answer them, so they are not looked up.
    if (req.url !~ "^/en(/|\?|$)"
        && regsub(req.http.Referer, "^https?://([^/]+).*$", "\1") != req.http.Host
        && (req.http.Cookie ~ "(^|;\s*)django_language=en(;|$)"
            || (req.http.Cookie !~ "(^|;\s*)django_language="
                && req.http.Accept-Language ~ "^\s*(?i)en([-_][^,;]*)?\s*(;|,|$)"))) {
        return (pass);
    }
    # Everything else depends on its address alone (the language is in it): one copy for all.
    unset req.http.Cookie;
    set req.http.X-Jugan-Shared = "1";
    # (req.grace outlives a restart: each pass says what it accepts.)
    if (req.http.X-Jugan-Stale-If-Error) {
        # Django failed: any copy still within its grace (stale-if-error), however old.
        set req.grace = 3650d;
    } elsif (req.http.X-Jugan-Refresh) {
        # Older than stale-while-revalidate allows (vcl_hit): fetched now, not served stale.
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_hit {
    # Within s-maxage: fresh. Then, for stale-while-revalidate seconds: served while a new copy
    # is fetched in the background. Older: fetched now; served only if that fetch fails
    # (stale-if-error, the object's grace, set in vcl_backend_response).
    if (obj.ttl <= 0s && !req.http.X-Jugan-Stale-If-Error
        && obj.ttl + std.duration(obj.http.X-Jugan-Swr + "s", 0s) <= 0s) {
        set req.http.X-Jugan-Refresh = "1";
        return (restart);
    }
}

sub vcl_backend_fetch {
    if (bereq.http.X-Jugan-Shared) {
        # What Django renders for everyone: no trace of this reader's headers.
        unset bereq.http.Accept-Language;
        unset bereq.http.Referer;
    }
    unset bereq.http.X-Jugan-Refresh;
}

sub vcl_backend_response {
    if (beresp.status >= 500) {
        if (bereq.is_bgfetch || (bereq.http.X-Jugan-Shared && !bereq.http.X-Jugan-Stale-If-Error)) {
            # Nothing is stored (not even "hit-for-miss", which would hide the copy we have):
            # the client side serves its stale copy instead (vcl_synth), if it has one.
            return (abandon);
        }
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Django names every response any cache may keep (Surrogate-Key, `Cache-Control: public`);
    # anything else (a 404, robots.txt, a private response) goes to Django every time.
    # Static files have hashed names and WhiteNoise's long max-age.
    if (!beresp.http.Surrogate-Key && bereq.url !~ "^/static/") {
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        return (deliver);
    }
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
    }
    if (beresp.http.Cache-Control ~ "stale-while-revalidate=[0-9]+") {
        set beresp.http.X-Jugan-Swr =
            regsub(beresp.http.Cache-Control, "^.*stale-while-revalidate=([0-9]+).*$", "\1");
    }
    # Kept past its grace, for conditional requests to Django (a 304 is one query).
    set beresp.keep = 1h;
}

sub vcl_backend_error {
    # Django is down or too slow: as for its errors, the copy we have, if any.
    if (bereq.is_bgfetch || (bereq.http.X-Jugan-Shared && !bereq.http.X-Jugan-Stale-If-Error)) {
        return (abandon);
    }
}

sub vcl_synth {
    # A fetch for a shared page failed (abandoned above): look again, this time accepting a
    # copy however stale, up to its stale-if-error; without one, Django's own answer.
    if (resp.status == 503 && req.http.X-Jugan-Shared && !req.http.X-Jugan-Stale-If-Error) {
        set req.http.X-Jugan-Stale-If-Error = "1";
        return (restart);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.X-Jugan-Swr;
    unset resp.http.Surrogate-Key;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}

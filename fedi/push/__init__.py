"""Web Push, as Mastodon's apps expect it: subscriptions per access token, the instance's VAPID
key, and the worker that encrypts each new notification for the member's apps and sends it."""

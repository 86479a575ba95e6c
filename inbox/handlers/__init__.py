"""One module per incoming activity type; HANDLERS maps the type to its handler.

Each handler authorises the activity (an actor acts only on its own objects), then writes its
domain rows, notifications and any reply (an Accept, say) in as few transactions as it can.
"""

from __future__ import annotations

from inbox.handlers.accept import handle_accept
from inbox.handlers.announce import handle_announce
from inbox.handlers.block import handle_block
from inbox.handlers.common import Handler
from inbox.handlers.create import handle_create
from inbox.handlers.delete import handle_delete
from inbox.handlers.flag import handle_flag
from inbox.handlers.follow import handle_follow
from inbox.handlers.join import handle_join
from inbox.handlers.leave import handle_leave
from inbox.handlers.like import handle_like
from inbox.handlers.move import handle_move
from inbox.handlers.quote_request import handle_quote_request
from inbox.handlers.reject import handle_reject
from inbox.handlers.undo import handle_undo
from inbox.handlers.update import handle_update

HANDLERS: dict[str, Handler] = {
    "Accept": handle_accept,
    "Announce": handle_announce,
    "Block": handle_block,
    "Create": handle_create,
    "Delete": handle_delete,
    "Flag": handle_flag,
    "Follow": handle_follow,
    "Join": handle_join,
    "Leave": handle_leave,
    "Like": handle_like,
    "EmojiReact": handle_like,  # Misskey/Pleroma reactions count as favourites, as on Mastodon
    "Move": handle_move,
    "QuoteRequest": handle_quote_request,
    "Reject": handle_reject,
    "Undo": handle_undo,
    "Update": handle_update,
}

"""The member web app: pages and forms for signed-in members (timelines, compose, actions on
posts), served by fedi itself, working without JavaScript; htmx only enhances them."""

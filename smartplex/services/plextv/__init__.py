"""plex.tv, Plex's account service: signing people in with their Plex account (the PIN flow) and reading who a
server owner shares with. `client` speaks plex.tv's API; `signin` turns a PIN into a SmartPlex session."""

"""Raw landing: every payload is written here unchanged before anything parses it, so
the warehouse can always be rebuilt from raw alone. The lowest stage after config and
core: sources land what they fetch, canonical replays what landed."""

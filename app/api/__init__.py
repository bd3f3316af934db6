"""HTTP blueprints, one per audience: health, mini-program, console, WeChat callbacks."""

"""The Teams app package: manifest.json and its two icons, zipped with the bot's app id."""

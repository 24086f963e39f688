"""Start the convqa browser chat: ``python app.py [--host H] [--port P]`` (settings from CONVQA_*)."""

from convqa.web.app import main

if __name__ == "__main__":
    raise SystemExit(main())

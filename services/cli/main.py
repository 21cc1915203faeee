"""The `posthantering` command. Each sub-command parses arguments and calls a service; no logic here."""

from __future__ import annotations

import typer

from services.cli import admin, blobs, mail, model, registration, run, separation

app = typer.Typer(
    name="posthantering",
    help="Posthantering: den digitala postöppningen. Tar emot skannad post, läser, fördelar och mäter besparingen.",
    no_args_is_help=True,
    add_completion=False,
)
run.register(app)
mail.register(app)
model.register(app)
admin.register(app)
blobs.register(app)
registration.register(app)  # issue 12: `register`
separation.register(app)  # issue 16: `split`

if __name__ == "__main__":
    app()

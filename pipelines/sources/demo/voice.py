"""How a team that writes every answer itself sounds: the same few answers, each closed
and signed in its own words, so no two of the brand's replies read the same once the
mention and the link are taken out (the test marts.canned_replies applies).

The closings are drawn from a random stream of their own, never from the world's: the
conversational brand's answers gained their sign-offs after the world was fixed, and a
draw from the main stream would have moved every later post, id and page."""

from __future__ import annotations

import random
import re

# Support teams sign their replies with the agent's initials, as ^MC.
CLOSINGS = (
    "Enjoy!",
    "Have a lovely day.",
    "Talk soon.",
    "Cheers!",
    "Happy sipping!",
    "Thanks for writing in.",
    "Take care.",
    "See you soon!",
    "Hope that helps.",
    "Any time.",
)
SIGNATURES = ("^MC", "^PR", "^JO", "^AK", "^LS", "^TN", "^RB", "^EW")

_PLACEHOLDER = re.compile(r"\{[a-z]+\}")
_SPACE = re.compile(r"\s+")


def _key(text: str) -> str:
    """The text as the canned-reply test compares it: no mentions or links (here, the
    template's placeholders), lower case, single spaces."""
    return _SPACE.sub(" ", _PLACEHOLDER.sub(" ", text)).strip().lower()


class Voice:
    """One brand's answers on one network: :meth:`sign` gives a template the closing that
    makes it unlike every earlier answer of the brand."""

    def __init__(self, stream: str) -> None:
        self.rng = random.Random(stream)
        self.said: set[str] = set()

    def sign(self, template: str) -> str:
        """The closing to append (with its leading space) to ``template``'s text."""
        for _ in range(500):
            closing = f" {self.rng.choice(CLOSINGS)} {self.rng.choice(SIGNATURES)}"
            key = _key(template + closing)
            if key not in self.said:
                self.said.add(key)
                return closing
        raise RuntimeError(f"no unused closing left for {template!r}")

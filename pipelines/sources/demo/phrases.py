"""What the demo's accounts say: the templates of the brands' posts and answers and of the
customers' messages, and the paths their links point at. Text only; who picks which
template, and when, is ``world``'s concern."""

from __future__ import annotations

from .cast import (
    AUTO_REPLIER,
    BROADCASTER,
    CONVERSATIONAL,
    FOLLOW_FOR_FOLLOW,
    GHOST,
    MODERATELY_RESPONSIVE,
    PITCHER,
    SLOW_RESPONDER,
)

# Placeholders in templates: {b} the brand (mentioned), {o} the other brand of a pair,
# {c} the customer (mentioned), {link} a link to the brand's site, {trend} the day's
# trending tag (cast.TRENDS). #Words are hashtags.

# Each audited account's own announcements.
ORIGINALS: dict[str, tuple[str, ...]] = {
    CONVERSATIONAL: (
        "Pumpkin spice cold brew is back in every Northwind cafe from today. "
        "#ColdBrew #FallMenu {link}",
        "Rainy morning? Your first refill is on us until noon.",
        "New single origin from Huila, Colombia: panela, red apple, a long sweet finish. "
        "Try it as a pour-over this week. {link}",
        "Monday question: flat white or cortado? Tell us below.",
        "Our Elm Street cafe opens an hour early all week for exam season. #StudyFuel",
        "Meet Priya, head roaster at our Portland roastery. {link}",
        "Oat milk is now free in every drink. You asked, we listened. #OatMilk",
        "Weekend pairing: cardamom bun + cold brew tonic. What's yours?",
        "Our holiday blend lands Friday. Who's tasting it first? #HolidayBlend",
        "Mobile ordering is back up. Thanks for your patience this morning, everyone.",
        "Bring your own cup and take 25 cents off, every day. {link}",
        "Seattle friends: our new Ballard cafe opens Saturday. First 100 drinks on us!",
    ),
    FOLLOW_FOR_FOLLOW: (
        "Today's deal: 2-for-1 cold brew after 2pm with code NW2FOR1 #deals #coffee {link}",
        "Follow us and RT for a chance to win a month of free coffee! #giveaway #F4F",
        "Flash sale: 30% off all beans online until midnight #deals {link}",
        "Happy hour is back: half price lattes 3-5pm #coffee #deals",
        "Free pastry with any drink over $5 today only #deals #freebie",
        "We follow back! Coffee lovers, say hi #F4F #coffee",
        "New promo code every morning, turn on notifications #deals {link}",
    ),
    MODERATELY_RESPONSIVE: (
        "Apple cider donuts are back at every Bean Barn. #FallFlavors",
        "Fresh batch of our farmhouse blend, roasted this morning. {link}",
        "Live music at our Fremont cafe this Friday from 7pm.",
        "Sunday special: maple oat latte + biscuit for $7. #BeanBarn",
        "Our gift cards now work in the app. {link}",
        "Long day? Our cold brew is brewed for 18 hours so you don't have to be.",
        "Thank you, Tacoma! Our new cafe had its best first week ever.",
        "Pumpkin bread is baked fresh every morning until it runs out. #FallFlavors",
    ),
    BROADCASTER: (
        "Introducing SmartHub 3: faster, quieter and Matter-ready. {link} #SmartHome",
        "Firmware 4.2 is rolling out to all Acme thermostats this week. {link}",
        "Save up to 20% on Acme door sensors through Sunday. {link} #SmartHome",
        "How Acme keeps your home data on your home network. {link}",
        "Acme SmartPlug Mini is now available in Canada. {link}",
        "Join our live product webinar on Thursday at 10am PT. {link}",
        "New in the Acme app: energy reports, room by room. {link} #EnergySaving",
        "Acme named a top smart home brand of 2026. {link}",
        "5 ways to automate your mornings with Acme. {link} #SmartHome",
        "The Acme Winter Sale starts now. {link}",
        "Our sustainability report is out. {link} #Sustainability",
        "Acme Cam 2 now records in 2K. {link}",
    ),
    GHOST: (
        "Hello world.",
        "Something is brewing in the lab.",
        "More soon.",
    ),
    SLOW_RESPONDER: (
        "RivalCo Hub Pro is here: one hub for every device in your home. {link}",
        "Our spring firmware update adds Thread support to all sensors. {link}",
        "Holiday bundle: Hub Pro + 4 sensors for $199. {link} #SmartHome",
        "Tip: set a vacation mode schedule in the RivalCo app before you travel.",
        "RivalCo now integrates with your favourite voice assistants. {link}",
        "We're hiring support engineers in Austin. {link}",
        "Read how one family cut their energy bill by 18% with RivalCo. {link}",
    ),
    PITCHER: (
        "New: the Globex smart mug keeps your coffee at 60C all day. {link}",
        "Weekend sale: 25% off every smart plug. {link} #deals {trend}",
        "Our bundle of the month is live. {link} {trend}",
        "Which colour should the next Globex lamp come in? #GlobexGear",
    ),
    AUTO_REPLIER: (
        "Firmware 4.2 for Globex hubs is rolling out today. {link}",
        "Service status: all Globex cloud services are running normally.",
        "Tip: restart your hub from the app, no unplugging needed. {link}",
    ),
}

# Paths after a site's root for {link}; {n} becomes a three-digit number.
WEBSITE_PATHS = ("", "/menu", "/news", "/blog/{n}", "/offers", "/p/{n}", "/stores")

# kind -> (lang, template). Kinds: question, complaint, praise, comment (a reply to a
# post), compare (mentions both brands of a pair), thanks (a follow-up to an answer).
CUSTOMER_SAYS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "coffee": {
        "question": (
            ("en", "{b} is the oat milk latte back on the menu yet?"),
            ("en", "{b} what time does the Elm Street store open on Sundays?"),
            ("en", "hey {b} do you still sell the Huila beans in 1kg bags?"),
            ("en", "{b} can I use my gift card in the app?"),
            ("en", "{b} are your cold brew cans gluten free?"),
            ("en", "{b} any chance of decaf cold brew this winter?"),
            ("es", "{b} hola, tienen leche de avena sin azucar?"),
        ),
        "complaint": (
            (
                "en",
                "{b} my mobile order at the Pearl District store was never made, waited 20 minutes",
            ),
            ("en", "{b} the app charged me twice for one cappuccino this morning"),
            ("en", "{b} third time this week the Elm St store is out of oat milk..."),
            ("en", "{b} loyalty points from last week still haven't shown up"),
            ("en", "{b} my latte was lukewarm again today, not great"),
        ),
        "praise": (
            ("en", "Best flat white in town, thank you {b} #coffee"),
            ("en", "shoutout to the barista at {b} on 5th Ave who remembered my order"),
            ("en", "{b} your cardamom buns are dangerous, I've had three this week"),
            ("en", "Morning ritual: cold brew from {b} and a long walk #MondayMotivation"),
            ("en", "Studying at {b} again, best wifi and best playlist in the city"),
        ),
        "comment": (
            ("en", "{b} flat white, no contest"),
            ("en", "{b} will this come to the Eastside stores too?"),
            ("en", "{b} please bring back the maple latte"),
            ("en", "{b} finally!!"),
            ("en", "{b} is this at the airport location as well?"),
        ),
        "compare": (
            ("en", "{b} or {o} for a study session with decent wifi?"),
            ("en", "torn between {b} and {o} for my morning coffee, convince me"),
            ("en", "{b} vs {o} pumpkin spice taste test this weekend, stay tuned #coffee"),
        ),
        "thanks": (
            ("en", "{b} thanks, that sorted it!"),
            ("en", "{b} appreciate the quick reply"),
            ("en", "{b} great, thank you!"),
        ),
    },
    "tech": {
        "question": (
            ("en", "{b} does the hub work with Matter devices?"),
            ("en", "{b} when does the firmware update roll out in Canada?"),
            ("en", "{b} is there a way to export my sensor history to CSV?"),
            ("en", "{b} can I share access with my partner without sharing my password?"),
            ("en", "{b} do your door sensors work with rechargeable batteries?"),
        ),
        "complaint": (
            ("en", "{b} my hub keeps dropping wifi since the last update, any fix?"),
            ("en", "{b} support ticket open for 9 days and nobody has answered. Order 48213"),
            ("en", "{b} the app logged me out and now the 2FA codes don't arrive"),
            ("en", "{b} thermostat says offline every night at 2am"),
            ("en", "{b} ordered a cam two weeks ago, still says processing"),
        ),
        "praise": (
            ("en", "Set up the new {b} thermostat in ten minutes, impressed #SmartHome"),
            ("en", "{b} the new energy report is genuinely useful, nice work"),
        ),
        "comment": (
            ("en", "{b} will it support Thread?"),
            ("en", "{b} how about fixing the wifi bug first?"),
            ("en", "{b} price in EUR?"),
            ("en", "{b} any discount for existing customers?"),
            ("en", "{b} nice, ordered one"),
        ),
        "compare": (
            ("en", "thinking of switching from {b} to {o} after this week's outage"),
            ("en", "{b} or {o} for a first smart thermostat? #SmartHome"),
        ),
        "thanks": (
            ("en", "{b} thanks, working again"),
            ("en", "{b} ok, will try that, thanks"),
        ),
    },
}

# How each brand answers, by the kind of message answered.
BRAND_SAYS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    CONVERSATIONAL: {
        "question": (
            ("en", "{c} Good question! Yes, and you'll find the details here: {link}"),
            ("en", "{c} Hi! We just checked with the team: yes, at every cafe from today."),
            ("en", "{c} Not yet, but it's on the list for next month. We'll keep you posted!"),
        ),
        "complaint": (
            (
                "en",
                "{c} So sorry about this. Could you DM us your order number? "
                "We'll make it right today.",
            ),
            (
                "en",
                "{c} That's not the experience we want for you. A refund is on its way "
                "and we've told the store team.",
            ),
            (
                "en",
                "{c} Ugh, sorry! We've added the missing points to your account, "
                "check the app in a few minutes.",
            ),
        ),
        "praise": (
            ("en", "{c} This made our day, thank you!"),
            ("en", "{c} We'll pass this on to the team!"),
            ("en", "{c} See you tomorrow then!"),
        ),
        "comment": (
            ("en", "{c} Thanks for the love!"),
            (
                "en",
                "{c} Not yet, but we've passed the request on to our menu team. {o} will "
                "post it the day it lands.",
            ),
            ("en", "{c} Yes! All stores, airport included."),
        ),
        "compare": (("en", "{c} We might be biased, but our oat flat white says hi."),),
        "es": (("es", "{c} Hola! Si, en todas nuestras cafeterias. Que lo disfrutes!"),),
    },
    FOLLOW_FOR_FOLLOW: {
        "*": (
            ("en", "{c} Check out today's deals: {link}"),
            ("en", "{c} Thanks for the follow! Today's code: NWTHANKS"),
        ),
    },
    MODERATELY_RESPONSIVE: {
        "complaint": (
            (
                "en",
                "{c} Sorry to hear that. Please email hello@beanbarn.example and we'll "
                "look into it.",
            ),
        ),
        "praise": (("en", "{c} Thank you! See you soon."),),
        "*": (
            ("en", "{c} Hi! You can find that on our website: {link}"),
            ("en", "{c} Thanks for asking! Yes, at all our cafes."),
        ),
    },
    SLOW_RESPONDER: {
        "*": (
            ("en", "{c} Sorry for the delay. Please contact our support team at {link}"),
            ("en", "{c} Hi, thanks for reaching out. Our team is looking into this."),
            ("en", "{c} Apologies for the late reply. This is covered in our help center: {link}"),
        ),
    },
    PITCHER: {
        "*": (
            ("en", "{c} Great question! Our bundles are 20% off this week: {link}"),
            ("en", "{c} Check out our full range here: {link}"),
            ("en", "{c} Yes! And if you retweet this you could win one."),
        ),
    },
    # The auto-reply: one text, whatever was asked.
    AUTO_REPLIER: {
        "*": (
            (
                "en",
                "{c} Thank you for contacting Globex Support. Your message is important to "
                "us. Please DM us the details and an agent will get back to you.",
            ),
        ),
    },
}

# What the pitcher posts, unprompted, to customers who never wrote to it: its first
# contact with each is a pitch (a link, a discount, a promo code) or a request to amplify
# it (retweet, follow, review). Matched by dbt_project/seeds/first_contact_lexicon.csv.
APPROACHES: dict[str, tuple[tuple[str, str], ...]] = {
    PITCHER: (
        ("en", "{c} Hey! Check out our new smart mug, 20% off this week: {link}"),
        ("en", "{c} Loved your post! Use promo code GLOBEX15 for 15% off your first order."),
        ("en", "{c} Please retweet our launch, it would mean a lot! {link}"),
        ("en", "{c} Hi! Follow us for daily deals on smart home gear."),
        ("en", "{c} Would you leave us a review? It takes a minute: {link}"),
        ("en", "{c} Buy now and get free shipping on every Globex plug."),
    ),
}

# What a brand adds when it quotes a customer's praise.
QUOTES = (
    "This is why we do what we do.",
    "Words we love to hear. Thank you!",
    "Our baristas are the best, and this proves it.",
)

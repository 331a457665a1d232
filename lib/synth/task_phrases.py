"""What users want done: the task phrases that fill the `{t}` slots (several hundred). The
generator splits them 70/15/15 by phrase, so validation and test titles never occur in training."""

from __future__ import annotations

# verb -> objects; every pair is one task phrase ("buy milk"). Several hundred in all.
TASK_BANK: dict[str, list[str]] = {
    "buy": ["milk", "eggs, milk and bread", "a birthday card for Ana", "new running shoes", "printer ink",
            "dog food", "coffee beans", "a gift for Zoë", "batteries", "flowers for mum", "a phone charger",
            "train tickets to Lyon", "olive oil", "a new umbrella", "stamps"],
    "call": ["mom", "the dentist", "Grandpa", "the plumber", "Dr. Müller's office", "the bank",
             "my landlord", "Aunt Rosa", "the insurance company", "Sam about the trip", "the vet",
             "José", "the school", "the garage about my car"],
    "email": ["Bob the report", "my manager about Friday", "the client", "HR about vacation days",
              "Priya the slides", "the landlord", "the team the agenda", "François about the invoice",
              "support about my refund", "the professor"],
    "pay": ["the electricity bill", "rent", "the phone bill", "the parking ticket", "my credit card",
            "the water bill", "Lisa back", "the gym membership", "property tax", "the internet bill"],
    "book": ["a dentist appointment", "flights to Tokyo", "a table at Nobu", "a haircut", "the car service",
             "a hotel in Rome", "a doctor's appointment", "tickets for the concert", "a massage",
             "the meeting room"],
    "clean": ["the garage", "the kitchen", "the bathroom", "out the fridge", "the windows", "my desk",
              "the car", "the gutters", "the oven", "the balcony"],
    "fix": ["the leaking tap", "the bike's flat tire", "the login bug", "the fence", "the squeaky door",
            "the printer", "the wifi router", "the broken lamp"],
    "write": ["the quarterly report", "a thank-you note to Mei", "the blog post", "my cover letter",
              "the project proposal", "Grandma a letter", "the meeting notes", "the README"],
    "review": ["the pull request", "the budget", "Tom's draft", "the contract", "the lease agreement",
               "last month's expenses", "the design mockups", "the test plan"],
    "schedule": ["a call with Lee", "the team offsite", "a vet visit", "the car inspection",
                 "a one-on-one with Maria", "the kickoff meeting", "a parent-teacher meeting"],
    "pick up": ["the dry cleaning", "the kids from school", "the package at the post office",
                "my prescription", "the cake", "groceries", "Dad from the airport"],
    "renew": ["my passport", "the car insurance", "the library books", "my driver's license",
              "the domain name", "the gym pass", "the magazine subscription"],
    "prepare": ["the presentation", "slides for Monday", "the tax return", "dinner for six",
                "the interview questions", "the lesson plan", "the demo"],
    "send": ["the invoice", "the birthday gift", "Mark the photos", "the signed form",
             "the RSVP", "the package to Berlin", "feedback to the intern"],
    "water": ["the plants", "the garden", "the tomatoes"],
    "return": ["the library books", "the rental car", "the blue jacket", "Kim's ladder"],
    "update": ["my résumé", "the website", "the spreadsheet", "the project roadmap", "my LinkedIn profile",
               "the software on my laptop"],
    "plan": ["the trip to Portugal", "Lucy's birthday party", "next week's meals", "the garden layout",
             "the team retreat"],
    "take": ["the car for an oil change", "out the trash", "the dog to the vet", "my vitamins",
             "the recycling out"],
    "order": ["a new laptop", "pizza for the party", "contact lenses", "the textbooks",
              "a replacement filter"],
    "cancel": ["the magazine subscription", "the old phone plan", "Netflix", "the hotel booking"],
    "finish": ["the book club novel", "the online course", "the puzzle", "chapter 3 of my thesis"],
    "organize": ["the closet", "my photos", "the bookshelf", "the tool shed", "the inbox"],
    "submit": ["the expense report", "the grant application", "my timesheet", "the homework"],
    "visit": ["Grandma in the care home", "the farmers' market", "the new museum exhibit", "Nina in Kraków",
              "the DMV", "the open house on Elm St."],
    "text": ["Omar the address", "the babysitter", "Chloé about dinner", "Ben happy birthday"],
    "check": ["the smoke alarms", "my bank statement", "the mail", "flight status for LH 452",
              "the kids' homework", "the oil level", "on the neighbour's cat"],
    "ask": ["Hannah for the recipe", "the landlord about the heating", "IT for a new password",
            "Raj about the budget numbers", "the coach about Saturday's game"],
    "research": ["solar panels", "summer camps for the kids", "new health insurance plans",
                 "hiking trails near Zürich", "mortgage rates"],
    "practice": ["the speech", "guitar scales", "my French pronunciation", "the piano piece for the recital"],
    "install": ["the new dishwasher", "curtain rails", "the security update", "a bike rack"],
    "sell": ["the old sofa", "my bike on Kleinanzeigen", "the extra concert ticket"],
    "register": ["for the 10K run", "the car", "for the pottery class", "to vote"],
    "confirm": ["the dinner reservation", "the hotel check-in time", "Saturday's delivery slot",
                "attendance for the workshop"],
    "print": ["the tickets", "the photos for the album", "the tax forms"],
    "wrap": ["the presents", "Mia's birthday gift"],
    "bake": ["bread for Sunday", "a cake for Léo", "muffins for the bake sale"],
    "repair": ["the roof tiles", "Mom's sewing machine", "the garden hose"],
    "download": ["the bank statements", "the podcast episodes for the flight", "the kids' school photos"],
    "charge": ["the electric car", "the power bank"],
    "defrost": ["the chicken for dinner"],
    "sort": ["the recycling", "the Lego bins", "last year's receipts"],
    "refill": ["the water filter", "the bird feeder", "my prescription for Dr. O'Brien"],
    "invite": ["the neighbours for coffee", "Kenji to the party", "the in-laws for Christmas"],
    "read": ["“Dune”", "the safety manual", "the onboarding docs", "the article Jo sent"],
}

EXTRA_PHRASES = [
    "Gym at 6", "Mow the lawn", "Defrost the freezer", "Back up my phone", "Get a flu shot",
    "Walk the dog", "Meditate for 10 minutes", "Practice piano", "Study for the exam", "Vacuum upstairs",
    "Change the bedsheets", "Do the laundry", "Iron shirts", "Wash the car", "Charge the camera",
    "Sign the lease", "File the receipts", "Shred old documents", "Reply to Emma's text", "Donate old clothes",
    "Check tire pressure", "Replace the smoke detector battery", "Bake cookies", "Repot the cactus",
    "Learn 20 Spanish words", "Stretch for 15 min", "Make a dentist appointment for Léa",
    "Pack for the trip", "Print the boarding pass", "Hang the painting",
    "Jog 5 km", "Drink more water", "Sharpen the kitchen knives", "Descale the kettle", "Wax the skis",
    "Tidy the garage, finally", "Swap winter tires", "Feed the fish", "Cut the hedge", "Air the duvets",
    "Re-seal the bathtub", "Plant tulip bulbs", "Prune the roses", "Polish the shoes",
    "Write Nana's 90th birthday speech", "RSVP to Ava & Liam's wedding", "Get cash for the market",
    "Buy 2 kg of apples", "Collect the dry-cleaning (ticket #42)", "Fill out the census form",
    "Top up the Oyster card", "Empty the dehumidifier", "Test the sump pump", "Oil the bike chain",
]


# Training only (generator 2.4.3): titles typed with typographic quotes and apostrophes, which
# phone keyboards write by default ("Mum’s", “…”). The bank above has none, so a model trained on
# it never copies one, and a title like Read “Dune” came back mangled into a malformed call.
# They join the training pool after the 70/15/15 cut (lib.synth.generate.phrases_by_split), so
# validation and test stay as they were, byte for byte.
TRAIN_ONLY_PHRASES = [
    "read “Project Hail Mary”", "buy Mum’s birthday present", "call Tom’s school", "print the “Q3 results” deck",
    "book tickets for ‘Hamlet’", "return Sam’s drill", "fix Dad’s laptop", "order the “Atomic Habits” audiobook",
    "finish the ‘Intro to Stats’ module", "reply to Jo’s email", "watch “The Bear” finale",
    "pick up Ella’s glasses",
]


def task_phrases() -> list[str]:
    phrases = [f"{verb} {obj}" for verb, objs in TASK_BANK.items() for obj in objs]
    phrases += [p[0].lower() + p[1:] for p in EXTRA_PHRASES]
    return phrases


# The simple past of every verb in TASK_BANK: "I {t1.past}" says a task is done ("I bought oat milk").
PAST = {
    "buy": "bought", "call": "called", "email": "emailed", "pay": "paid", "book": "booked", "clean": "cleaned",
    "fix": "fixed", "write": "wrote", "review": "reviewed", "schedule": "scheduled", "pick up": "picked up",
    "renew": "renewed", "prepare": "prepared", "send": "sent", "water": "watered", "return": "returned",
    "update": "updated", "plan": "planned", "take": "took", "order": "ordered", "cancel": "cancelled",
    "finish": "finished", "organize": "organized", "submit": "submitted", "visit": "visited", "text": "texted",
    "check": "checked", "ask": "asked", "research": "researched", "practice": "practiced", "install": "installed",
    "sell": "sold", "register": "registered", "confirm": "confirmed", "print": "printed", "wrap": "wrapped",
    "bake": "baked", "repair": "repaired", "download": "downloaded", "charge": "charged", "defrost": "defrosted",
    "sort": "sorted", "refill": "refilled", "invite": "invited", "read": "read",
}
assert set(PAST) == set(TASK_BANK), set(TASK_BANK) ^ set(PAST)


def phrase_forms(phrase: str) -> dict[str, str]:
    """{"obj", "past"} of a verb + object phrase ("buy oat milk" -> "oat milk", "bought oat milk"),
    or {} for phrases without that shape ("gym at 6")."""
    low = phrase.lower()
    for verb in sorted(TASK_BANK, key=len, reverse=True):
        if low.startswith(verb + " "):
            obj = phrase[len(verb) + 1:]
            return {"obj": obj, "past": PAST[verb] + " " + obj}
    return {}

"""Hand-written template families per category and split, in the slot language of
`lib.synth.slots`. Validation and test phrasings never occur in training (held out by
construction; `lib.synth.heldout` defines what counts as the same phrasing)."""

from __future__ import annotations

from lib.synth.slots import (ADD, ADD_D, DEL, DONE, DONE_OBJ, LIST, MOVE, RENAME, REOPEN, RESTORE, SUM, UNDATE,
                             Template)

SPLITS = ("train", "validation", "test")

TEMPLATES: dict[str, dict[str, list[Template]]] = {
    "add_dated": {
        "train": [("add {t1} {d1}", ADD_D), ("remind me to {t1} {d1}", ADD_D), ("I need to {t1} {d1}", ADD_D),
                  ("can you add a task to {t1} {d1}?", ADD_D), ("new task: {t1}, due {d1}", ADD_D),
                  ("put '{t1}' on my list for {d1}", ADD_D), ("don't let me forget to {t1} {d1}", ADD_D),
                  ("{d1} I have to {t1}", ADD_D),
                  ("create a task to {t1} {d1}", ADD_D), ("make a to-do: {t1}, {d1}", ADD_D),
                  ("set a reminder to {t1} {d1}", ADD_D), ("please add {t1} {d1}", ADD_D),
                  ("log '{t1}' for {d1}", ADD_D), ("could you remind me to {t1} {d1}?", ADD_D)],
        "validation": [("please create a to-do \"{t1}\" {d1}", ADD_D), ("I must {t1} {d1}, add it", ADD_D),
                       ("schedule a reminder to {t1} {d1}", ADD_D)],
        "test": [("could you note that I should {t1} {d1}", ADD_D), ("add to my tasks: {t1} ({d1})", ADD_D),
                 ("{d1} I've got to {t1} - put it on the list", ADD_D)],
    },
    "add_undated": {
        "train": [("add {t1}", ADD), ("remind me to {t1}", ADD), ("I need to {t1}", ADD),
                  ("new task: {t1}", ADD), ("put '{t1}' on my list", ADD), ("can you add \"{t1}\"?", ADD),
                  ("add a task to {t1}, no deadline", ADD), ("jot down: {t1}", ADD),
                  ("create a task: {t1}", ADD), ("make a to-do for {t1}", ADD), ("please add {t1}", ADD),
                  ("add {t1} to my to-do list", ADD), ("I have to {t1}, note it", ADD), ("save a task to {t1}", ADD)],
        "validation": [("please create a to-do to {t1}", ADD), ("I should {t1} at some point", ADD),
                       ("track this for me: {t1}", ADD)],
        "test": [("could you note that I have to {t1}", ADD), ("add to my tasks: {t1}", ADD),
                 ("don't let me forget to {t1} sometime", ADD)],
    },
    "list": {
        "train": [("what's on my list?", LIST("open")), ("show my tasks", LIST("open")),
                  ("list my open tasks", LIST("open")), ("what do I still have to do?", LIST("open")),
                  ("what have I completed?", LIST("done")), ("show finished tasks", LIST("done")),
                  ("show all my tasks", LIST("all")), ("list everything, done or not", LIST("all")),
                  ("anything left to do?", LIST("open")), ("what tasks are still pending?", LIST("open")),
                  ("list completed tasks", LIST("done")), ("show me everything on my list, finished too", LIST("all"))],
        "validation": [("what's left on my to-do list?", LIST("open")), ("which tasks did I finish?", LIST("done")),
                       ("give me the full list including completed ones", LIST("all"))],
        "test": [("any pending items?", LIST("open")), ("show me what's done", LIST("done")),
                 ("display every single task I have", LIST("all"))],
    },
    "summarize": {
        "train": [("give me a summary of my tasks", SUM), ("how many tasks do I have?", SUM),
                  ("summarize my to-do list", SUM), ("how many things are overdue?", SUM),
                  ("stats on my tasks please", SUM), ("how's my task list looking?", SUM),
                  ("give me an overview of my tasks", SUM), ("how many open tasks are there?", SUM),
                  ("task summary please", SUM), ("what's my workload like?", SUM)],
        "validation": [("quick overview of my tasks?", SUM), ("how many tasks are due today?", SUM)],
        "test": [("what's the status of my to-dos overall?", SUM), ("count my tasks for me", SUM)],
    },
    "complete": {
        "train": [("mark {t1} as done", DONE), ("I finished {t1}", DONE), ("{t1} is done", DONE),
                  ("check off {t1}", DONE), ("complete the task '{t1}'", DONE), ("done with {t1}!", DONE),
                  ("you can tick off \"{t1}\"", DONE),
                  ("set {t1} as completed", DONE), ("I've done {t1}", DONE), ("please mark {t1} finished", DONE),
                  ("mark the task {t1} complete", DONE), ("close {t1}", DONE),
                  ("I {t1.past}", DONE_OBJ), ("just {t1.past}", DONE_OBJ), ("mark the {t1.obj} one done", DONE_OBJ),
                  ("{t1.obj} is done", DONE_OBJ), ("I {t1.past} today, tick it off", DONE_OBJ)],
        "validation": [("I've taken care of {t1}, mark it complete", DONE), ("set {t1} to done", DONE)],
        "test": [("{t1} - finished it just now", DONE), ("please close out the task {t1}", DONE)],
    },
    "delete": {
        "train": [("delete {t1}", DEL), ("remove {t1} from my list", DEL), ("get rid of the task '{t1}'", DEL),
                  ("scratch {t1}", DEL), ("drop \"{t1}\", I don't need it anymore", DEL),
                  ("erase the task {t1}", DEL), ("take {t1} off my list", DEL),
                  ("please delete {t1}", DEL), ("cancel the task {t1}", DEL), ("remove the task called {t1}", DEL),
                  ("trash {t1}", DEL), ("I don't need to {t1} anymore, delete it", DEL)],
        "validation": [("I no longer need to {t1}, delete that task", DEL), ("please discard {t1}", DEL)],
        "test": [("wipe {t1} from my tasks", DEL), ("forget about {t1} entirely, remove it", DEL)],
    },
    "update": {
        "train": [("move {t1} to {d1}", MOVE), ("change {t1} to {d1}", MOVE), ("reschedule {t1} for {d1}", MOVE),
                  ("push {t1} to {d1}", MOVE), ("{t1} is now due {d1}", MOVE), ("make {t1} due {d1}", MOVE),
                  ("postpone {t1} until {d1}", MOVE), ("change the due date of {t1} to {d1}", MOVE),
                  ("rename {t1} to {t2}", RENAME), ("change the name of {t1} to {t2}", RENAME),
                  ("call the task {t1} '{t2}' instead", RENAME), ("remove the due date from {t1}", UNDATE),
                  ("{t1} has no deadline anymore", UNDATE), ("reopen {t1}", REOPEN), ("mark {t1} as not done", REOPEN),
                  ("{t1} isn't finished after all", REOPEN)],
        "validation": [("shift {t1} to {d1}", MOVE), ("retitle {t1} as {t2}", RENAME),
                       ("take the deadline off {t1}", UNDATE), ("undo the completion of {t1}", REOPEN)],
        "test": [("can {t1} wait until {d1}?", MOVE), ("{t1} should be called {t2}", RENAME),
                 ("{t1} doesn't need a date", UNDATE), ("{t1} still needs doing, open it again", REOPEN)],
    },
    "restore": {
        "train": [("restore {t1}", RESTORE), ("bring back {t1}", RESTORE), ("undelete {t1}", RESTORE),
                  ("get {t1} back", RESTORE), ("I deleted {t1} by mistake", RESTORE),
                  ("put {t1} back on my list", RESTORE), ("recover {t1} from the trash", RESTORE),
                  ("undo deleting {t1}", RESTORE)],
        "validation": [("I need {t1} back, restore it", RESTORE), ("pull {t1} out of the trash", RESTORE)],
        "test": [("oops, {t1} shouldn't have been deleted", RESTORE), ("can I get {t1} back?", RESTORE)],
    },
    "conversation": {
        "train": [("hi", "greeting"), ("hello there!", "greeting"), ("good morning", "greeting"),
                  ("thanks!", "thanks"), ("thank you so much", "thanks"), ("what can you do?", "capabilities"),
                  ("how do you work?", "capabilities"), ("bye", "goodbye"),
                  ("hey!", "greeting"), ("good afternoon", "greeting"), ("thanks a lot", "thanks"),
                  ("what are your features?", "capabilities"), ("goodbye", "goodbye")],
        "validation": [("hey, how's it going?", "greeting"), ("cheers, that helps", "thanks"),
                       ("what are you able to help me with?", "capabilities")],
        "test": [("good evening!", "greeting"), ("appreciate it", "thanks"), ("which things can you do for me?", "capabilities"),
                 ("see you later", "goodbye")],
    },
    "out_of_scope": {
        "train": [("what's the weather in Paris?", "out_of_scope"), ("send an email to Bob saying hi", "out_of_scope"),
                  ("tell me a joke", "out_of_scope"), ("who won the world cup in 2018?", "out_of_scope"),
                  ("what is 17 times 23?", "out_of_scope"), ("translate 'hello' into French", "out_of_scope"),
                  ("play some music", "out_of_scope"), ("book me a flight to Tokyo", "out_of_scope"),
                  ("write a short story about a dragon", "out_of_scope"), ("what time is it in London?", "out_of_scope"),
                  ("recommend a good movie", "out_of_scope"), ("how do I cook pasta?", "out_of_scope")],
        "validation": [("how tall is Mount Everest?", "out_of_scope"), ("order a pizza for me", "out_of_scope"),
                       ("write me a poem about autumn", "out_of_scope")],
        "test": [("what's the capital of Australia?", "out_of_scope"), ("text my sister that I'm late", "out_of_scope"),
                 ("will it rain tomorrow?", "out_of_scope")],
    },
    "clarification": {
        "train": [("add a task", "clarification"), ("remind me about something {d1}", "clarification"),
                  ("create a new to-do", "clarification"), ("put something on my list for {d1}", "clarification"),
                  ("I need a reminder", "clarification"), ("add a task due {d1}", "clarification")],
        "validation": [("can you make a task for {d1}?", "clarification"), ("new task please", "clarification")],
        "test": [("set up a to-do item", "clarification"), ("I want to add something for {d1}", "clarification")],
    },
    "negation": {
        "train": [("don't add {t1}, I already did it", "negation"), ("never mind about {t1}, don't put it on the list", "negation"),
                  ("no need to add {t1}", "negation"), ("please don't create a task for {t1}", "negation"),
                  ("I was going to ask you to add {t1} but forget it", "negation")],
        "validation": [("hold off, don't add {t1} after all", "negation"), ("actually skip adding {t1}", "negation")],
        "test": [("do not put {t1} on my list", "negation"), ("scrap that, no task for {t1}", "negation")],
    },
    "multi_intent": {
        "train": [
            ("add {t1} {d1} and {t2}", [("add_task", {"title": "t1", "due_date": "d1"}), ("add_task", {"title": "t2"})]),
            ("add {t1} and show me my list", [("add_task", {"title": "t1"}), *LIST("open")]),
            ("mark {t1} done and delete {t2}", [("complete_task", {"title": "t1"}), ("delete_task", {"title": "t2"})]),
            ("add {t1}, {t2} and {t3}", [("add_task", {"title": "t1"}), ("add_task", {"title": "t2"}), ("add_task", {"title": "t3"})]),
            ("I finished {t1}; also add {t2} {d2}", [("complete_task", {"title": "t1"}), ("add_task", {"title": "t2", "due_date": "d2"})]),
            ("add {t1} {d1}, then give me a summary", [("add_task", {"title": "t1", "due_date": "d1"}), ("summarize_tasks", {})]),
            ("add {t1} and also {t2} {d2}", [("add_task", {"title": "t1"}), ("add_task", {"title": "t2", "due_date": "d2"})]),
            ("delete {t1} and show all my tasks", [("delete_task", {"title": "t1"}), *LIST("all")]),
            ("complete {t1}, then list what's open", [("complete_task", {"title": "t1"}), *LIST("open")]),
            ("remove {t1} and add {t2}", [("delete_task", {"title": "t1"}), ("add_task", {"title": "t2"})]),
        ],
        "validation": [
            ("please add {t1} {d1} as well as {t2} {d2}", [("add_task", {"title": "t1", "due_date": "d1"}), ("add_task", {"title": "t2", "due_date": "d2"})]),
            ("remove {t1} and then list everything", [("delete_task", {"title": "t1"}), *LIST("all")]),
        ],
        "test": [
            ("two things: {t1} {d1}, and {t2}", [("add_task", {"title": "t1", "due_date": "d1"}), ("add_task", {"title": "t2"})]),
            ("tick off {t1} and show what's still open", [("complete_task", {"title": "t1"}), *LIST("open")]),
        ],
    },
}

# Multi-turn: earlier steps (user text, calls) then the target step. Earlier steps reuse the
# simplest phrasings; the follow-up phrasing is what the family is about.
MULTI_TURN: dict[str, list[tuple[list[Template], Template]]] = {
    "train": [
        ([("add {t1}", ADD)], ("actually make it {d1}", MOVE)),
        ([("add {t1} {d1}", ADD_D)], ("rename it to {t2}", RENAME)),
        ([("add {t1} {d1}", ADD_D)], ("no date for that one", UNDATE)),
        ([("mark {t1} as done", DONE)], ("oops, that's not finished yet", REOPEN)),
        ([("delete {t1}", DEL)], ("wait, bring it back", RESTORE)),
        ([("add {t1} {d1}", ADD_D)], ("mark that one done", DONE)),
        ([("add {t1}", ADD)], ("oh wait, delete it", DEL)),
        ([("add {t1} {d1}", ADD_D)], ("thanks!", "thanks")),
        ([("add {t1}", ADD)], ("also add {t2} {d2}", [("add_task", {"title": "t2", "due_date": "d2"})])),
        ([("add {t1} {d1}", ADD_D)], ("what's on my list now?", LIST("open"))),
        ([("what's on my list?", LIST("open"))], ("I finished {t1}", DONE)),
    ],
    "validation": [
        ([("add {t1}", ADD)], ("change the due date to {d1}", MOVE)),
        ([("delete {t1}", DEL)], ("hmm, I still need that one", RESTORE)),
        ([("add {t1} {d1}", ADD_D)], ("ok I did it already, complete it", DONE)),
        ([("add {t1}", ADD)], ("and one more: {t2}", [("add_task", {"title": "t2"})])),
    ],
    "test": [
        ([("add {t1}", ADD)], ("sorry, it's due {d1}", MOVE)),
        ([("add {t1} {d1}", ADD_D)], ("call it {t2} instead", RENAME)),
        ([("add {t1} {d1}", ADD_D)], ("never mind, remove that task", DEL)),
        ([("add {t1}", ADD)], ("great, thank you", "thanks")),
    ],
}


# Every category a row can have, in the order the generator cycles through them.
CATEGORIES = (*TEMPLATES, "multi_turn")

"""Composed training phrasings: word banks x frames, for the training split only.

A 135M model learns intents from the words it has seen. The hand-written families in
lib.synth.templates give ~10 phrasings per intent; here each intent gets a few hundred, composed
from verbs, frames, polite prefixes and tails, so the model learns the intent and not one sentence.
Every composed template whose phrasing (`lib.synth.heldout.core`) equals a validation or test
phrasing, or another composed one, is dropped (`composed_templates`).
"""

from __future__ import annotations

import itertools
import random
import re
from typing import Iterable

from lib.synth.heldout import PREFIXES, TAILS, core, held_out_cores
from lib.synth.slots import (ADD, ADD_D, ADD_T2, DEL, DONE, DONE_OBJ, LIST, MOVE, RENAME, REOPEN, RESTORE, SUM,
                             UNDATE, Calls, Template, fill)

_ADD_VERBS = ["add", "create", "make", "set up", "log", "save", "record", "open", "enter", "start", "schedule", "note",
              "book"]
_ADD_NOUNS = ["a task", "a to-do", "a todo", "a reminder", "a new task", "an item", "a new to-do", "an entry"]
_PUT_VERBS = ["add", "put", "jot down", "write down", "note down", "pop", "stick", "throw", "list"]
_PUT_PLACES = ["on my list", "on my to-do list", "to my tasks", "on the list", "in my tasks", "to my todo list"]
_NEED = ["I need to", "I have to", "I've got to", "I gotta", "I'm supposed to", "I want to", "gotta",
         "need to", "don't forget I have to", "I mustn't forget to", "I ought to", "I'll need to"]
_NEED_TAILS = [", add it", ", put it on my list", " - note it", ", make a task", ", remind me",
               ", add that", ", save it", " (add it)", ", log it", ", track that"]
_LABELS = ["todo:", "to-do:", "task:", "reminder:", "new to-do:", "note:", "add:", "new item:"]


def _add(dated: bool) -> list[Template]:
    calls, when = (ADD_D, " {d1}") if dated else (ADD, "")
    out: list[Template] = []
    for v, n in itertools.product(_ADD_VERBS, _ADD_NOUNS):
        out += [(f"{v} {n} to {{t1}}{when}", calls), (f"{v} {n}: {{t1}}{when}", calls)]
    for v, p in itertools.product(_PUT_VERBS, _PUT_PLACES):
        out += [(f"{v} {{t1}} {p}{when}", calls), (f"{v} '{{t1}}' {p}{when}", calls)]
    for need, tail in itertools.product(_NEED, _NEED_TAILS):
        out.append((f"{need} {{t1}}{when}{tail}", calls))
    out += [(f"{label} {{t1}}{when}", calls) for label in _LABELS]
    out += [(f"{ask} {{t1}}{when}?", calls) for ask in _ASK_ADD]
    if not dated:  # vague times are no due date
        out += [(f"{need} {{t1}} {vague}", calls) for need, vague in itertools.product(_NEED[:6] + ["remind me to", "add"], _VAGUE)]
    if dated:
        out += [("{d1}: {t1}", calls), ("{d1} - {t1}", calls), ("{t1}, due {d1}", calls),
                ("{t1} {d1}", calls), ("{t1}, deadline {d1}", calls), ("remind me {d1} to {t1}", calls),
                ("set a reminder for {d1}: {t1}", calls), ("{d1} I need to {t1}", calls),
                ("{d1} remind me to {t1}", calls), ("{t1} by {d1} please", calls)]
        out += [(f"{need} {{t1}} by then: {{d1}}", calls) for need in _NEED[:4]]
    return out


_VAGUE = ["at some point", "eventually", "one of these days", "when I get a chance", "someday", "no rush", "whenever",
          "at some stage", "in the future", "when I have time", "one day"]
_ASK_ADD = ["will you remind me to", "can I add", "could I get a reminder to", "would you note", "mind adding",
            "can u add", "pls add", "you there? add", "remember that I must"]


_SHOW = ["show", "list", "display", "show me", "give me", "pull up", "print", "read me", "tell me", "bring up", "open"]
_OBJECTS = {
    "open": ["my open tasks", "my pending tasks", "my unfinished tasks", "my remaining tasks", "my to-dos",
             "my current tasks", "my outstanding tasks", "the open items", "what's still open",
             "the tasks I haven't done", "what I still need to do", "my active tasks", "the open ones",
             "my todo list", "my task list", "the stuff I haven't finished"],
    "done": ["my completed tasks", "what I've finished", "the tasks I've done", "my finished tasks",
             "the done ones", "everything I completed", "what I already did", "the tasks marked done",
             "my done list", "completed items", "what got done", "the ones I finished"],
    "all": ["all my tasks", "every task", "my whole list", "everything on my list", "all tasks, done and open",
            "the complete list", "the entire to-do list", "all of my to-dos, even finished ones",
            "both open and finished tasks", "everything, including completed"],
}
_ASK = {
    "open": ["what's still open?", "what's left?", "what remains on my list?", "what's pending?",
             "what do I have left?", "what's on my plate?", "what do I need to do?", "which tasks are open?",
             "what haven't I done yet?", "what's still to do?", "what am I missing?", "what's next on my list?",
             "do I have anything to do?", "is there anything open?", "what's outstanding?", "what tasks do I have?"],
    "done": ["what did I get done?", "which tasks are done?", "what have I finished so far?", "what's been completed?",
             "which ones did I complete?", "what did I already do?", "what's checked off?", "what have I ticked off?"],
    "all": ["what are all my tasks?", "what's on my list, including finished ones?",
            "which tasks do I have in total, done or not?", "what's everything on there, done or open?"],
}


def _list() -> list[Template]:
    out: list[Template] = []
    for status, objects in _OBJECTS.items():
        out += [(f"{v} {o}", LIST(status)) for v, o in itertools.product(_SHOW, objects)]
        out += [(q, LIST(status)) for q in _ASK[status]]
    return out


_SUMMARY_NOUNS = ["a summary", "an overview", "the stats", "the numbers", "a quick summary", "a status report",
                  "a breakdown", "a rundown", "the totals", "a recap"]
_SUMMARY_OF = ["of my tasks", "of my to-do list", "on my tasks", "of my list", "for my to-dos", ""]
_HOW_MANY = ["how many tasks are open?", "how many tasks are overdue?", "how many have I finished?",
             "how many things do I have left?", "how many to-dos are there?", "how many are done?",
             "how many tasks did I complete?", "how many are overdue?", "how many items are on my list?",
             "how many open items do I have?", "how many tasks are left?", "how much is overdue?",
             "am I behind on anything?", "how am I doing on my tasks?", "how's my list?",
             "what's the count of my tasks?", "how many tasks in total?", "any overdue tasks?",
             "how busy am I?", "how much do I have on?"]


def _summarize() -> list[Template]:
    out: list[Template] = [(q, SUM) for q in _HOW_MANY]
    for v, n, of in itertools.product(["give me", "show me", "I'd like", "send me", "get me"], _SUMMARY_NOUNS, _SUMMARY_OF):
        out.append((f"{v} {n} {of}".strip(), SUM))
    out += [(f"{v} my {o}", SUM) for v, o in itertools.product(["summarize", "sum up", "recap", "tally"],
                                                               ["tasks", "to-do list", "list", "to-dos"])]
    return out


_DONE_IMPERATIVE = ["mark {t1} as done", "mark {t1} done", "mark {t1} complete", "mark {t1} as finished",
                    "tick off {t1}", "check off {t1}", "cross off {t1}", "complete {t1}", "tick {t1}",
                    "mark '{t1}' as completed", "check {t1} off my list", "flag {t1} as done", "finish {t1} on my list",
                    "mark the {t1} task done", "set the task {t1} to finished", "cross {t1} off the list"]
_DONE_STATEMENT = ["I finished {t1}", "I've finished {t1}", "I completed {t1}", "I did {t1}", "I already did {t1}",
                   "{t1} is finished", "{t1} is complete", "{t1}: done", "finished {t1}", "just did {t1}",
                   "got {t1} done", "{t1} - done", "done: {t1}", "I've completed {t1}", "{t1} is all done",
                   "managed to {t1}", "I got around to {t1}", "{t1} is sorted"]
_DONE_TAILS = ["", ", mark it done", ", check it off", ", you can close it", ", tick it off", ", it's done",
               ", cross it off", ", mark it"]

_DELETE_VERBS = ["delete", "remove", "drop", "erase", "scratch", "trash", "get rid of", "ditch", "dump", "clear",
                 "kill", "axe", "discard", "bin", "nuke", "strike", "take out", "cut"]
_DELETE_FRAMES = ["{v} {t1}", "{v} the task {t1}", "{v} '{t1}'", "{v} {t1} from my list", "{v} {t1} from my tasks",
                  "{v} the {t1} task", "{v} the to-do {t1}", "{v} \"{t1}\" from the list"]
_DELETE_STATEMENT = ["I don't need to {t1} anymore", "{t1} isn't needed anymore", "{t1} isn't happening",
                     "not doing {t1} after all", "{t1} got cancelled", "{t1} is off", "no more {t1}",
                     "{t1} is not relevant anymore"]
_DELETE_TAILS = [", remove it", ", delete it", ", take it off", " - drop it", ", get rid of it", ", delete the task",
                 ", scrap it", ", remove the task"]


# Said as done, in the past tense: the answer names the task by its thing ("oat milk"), which the
# executor matches to "Buy oat milk" (a unique partial title).
_DONE_PAST = ["I {t1.past}", "just {t1.past}", "{t1.past} already", "I {t1.past} earlier", "finally {t1.past}",
              "I already {t1.past}", "we {t1.past}", "I {t1.past} this morning", "{t1.past} it", "I {t1.past} yesterday",
              "good news, I {t1.past}", "I {t1.past} just now"]
_DONE_OBJECT = ["the {t1.obj} one is done", "{t1.obj}: done", "mark the {t1.obj} task done", "tick off the {t1.obj} one",
                "done with the {t1.obj}", "{t1.obj} is sorted", "the {t1.obj} thing is finished", "check off {t1.obj}",
                "cross off the {t1.obj}"]


# A task's state said as a value ("switch X to finished"): the same frames as a new date ("move X
# to Friday", update_task) or the open state ("switch X back to open", a reopen), so that the word
# after "to" decides, not the verb.
_STATE_VERBS = ["switch", "change", "move", "put", "turn", "flip"]
_DONE_STATES = ["done", "complete", "completed", "finished"]
_OPEN_STATES = ["open", "not done", "to do", "undone", "incomplete"]


def _complete() -> list[Template]:
    out: list[Template] = [(f, DONE) for f in _DONE_IMPERATIVE]
    out += [(f"{v} {{t1}} to {s}", DONE) for v, s in itertools.product(_STATE_VERBS, _DONE_STATES)]
    out += [(s + t, DONE) for s, t in itertools.product(_DONE_STATEMENT, _DONE_TAILS)]
    out += [(s + t, DONE_OBJ) for s, t in itertools.product(_DONE_PAST, _DONE_TAILS[:5])]
    out += [(s, DONE_OBJ) for s in _DONE_OBJECT]
    return out


_MOVE_VERBS = ["move", "push", "shift", "change", "reschedule", "bump", "set", "delay", "postpone", "put off", "slide",
               "move back", "bring forward", "re-date", "pull forward"]
_MOVE_FRAMES = ["{v} {t1} to {d1}", "{v} {t1} for {d1}", "{v} the task {t1} to {d1}", "{v} '{t1}' until {d1}",
                "{v} the {t1} task to {d1}", "{v} {t1}, make it {d1}"]
_MOVE_STATEMENT = ["{t1} is due {d1} now", "{t1} moved to {d1}", "{t1} needs to happen {d1} instead",
                   "{t1} should be {d1}", "let's do {t1} {d1} instead", "{t1} got moved to {d1}",
                   "new date for {t1}: {d1}", "{t1} will have to wait till {d1}", "the deadline for {t1} is now {d1}"]
_RENAME = ["rename {t1} to {t2}", "retitle {t1} to {t2}", "rename the task {t1} as {t2}", "{t1} should be renamed {t2}",
           "change {t1}'s title to {t2}", "call the {t1} task {t2}", "give {t1} the name {t2}", "rename '{t1}' as '{t2}'", "change {t1} to say {t2}", "call {t1} {t2} instead",
           "{t1} should read {t2}", "edit {t1}: {t2}", "reword {t1} to {t2}", "change the title of {t1} to {t2}",
           "update the name of {t1}: {t2}", "{t1} -> {t2}", "fix the title: {t1} should be {t2}"]
_RENAME_VERBS = ["rename", "retitle", "relabel", "re-name", "change the name of", "change the title of",
                 "update the title of", "edit the title of", "fix the name of"]
_RENAME_FRAMES = ["{v} {t1} to {t2}", "{v} the task {t1} to {t2}", "{v} '{t1}' to '{t2}'", "{v} the {t1} task to {t2}"]
_UNDATE = ["remove the date from {t1}", "clear the due date on {t1}", "{t1} has no due date", "no deadline for {t1}",
           "drop the deadline on {t1}", "{t1} can be whenever", "unschedule {t1}", "{t1} isn't due any day",
           "take the due date away from {t1}", "{t1} has no date anymore", "no due date for {t1}",
           "{t1} is undated now", "make {t1} undated", "{t1} has no fixed date", "leave {t1} without a date",
           "{t1}: no deadline", "forget the deadline for {t1}", "{t1} is due whenever"]
# "delete the deadline of X" clears a date: the object, not the verb, says it is no delete_task.
_UNDATE_VERBS = ["remove", "clear", "drop", "delete", "get rid of", "strip", "erase", "cancel"]
_UNDATE_OBJECTS = ["the due date", "the deadline", "the date"]
_UNDATE_FRAMES = ["{v} {o} from {t1}", "{v} {o} on {t1}", "{v} {o} of {t1}"]
_REOPEN = ["reopen {t1}", "undo completing {t1}", "mark {t1} incomplete", "{t1} was marked done by mistake",
           "take the done mark off {t1}", "{t1}: not done after all", "revert {t1} to open", "unmark {t1} as done", "mark {t1} as open again", "{t1} is not done", "un-complete {t1}", "set {t1} back to open",
           "{t1} isn't done yet", "I haven't finished {t1} after all", "put {t1} back to open", "{t1} needs doing again",
           "uncheck {t1}", "untick {t1}", "{t1} is open again", "{t1} isn't complete", "I marked {t1} done too early",
           "{t1} was ticked off by mistake", "{t1} is unfinished", "I'm not done with {t1}", "I didn't finish {t1} after all"]
_REOPEN_VERBS = ["reopen", "re-open", "uncomplete", "unmark", "uncheck", "untick", "un-tick"]
_REOPEN_FRAMES = ["{v} {t1}", "{v} the task {t1}", "{v} the {t1} task"]


def _update_groups() -> list[list[Template]]:
    """update_task's four kinds of change, each with its own word bank: a new date, a new title, no
    date, reopened. `composed_templates` takes them in turn, so each gets a quarter of the update
    families (v2.2 drew them in proportion to their word banks: 69% were new dates, 7% no date)."""
    move = [(f.replace("{v}", v), MOVE) for v, f in itertools.product(_MOVE_VERBS, _MOVE_FRAMES)]
    move += [(s, MOVE) for s in _MOVE_STATEMENT]
    rename = [(s, RENAME) for s in _RENAME]
    rename += [(f.replace("{v}", v), RENAME) for v, f in itertools.product(_RENAME_VERBS, _RENAME_FRAMES)]
    undate = [(s, UNDATE) for s in _UNDATE]
    undate += [(f.replace("{v}", v).replace("{o}", o), UNDATE)
               for v, o, f in itertools.product(_UNDATE_VERBS, _UNDATE_OBJECTS, _UNDATE_FRAMES)]
    reopen = [(s, REOPEN) for s in _REOPEN]
    reopen += [(f.replace("{v}", v), REOPEN) for v, f in itertools.product(_REOPEN_VERBS, _REOPEN_FRAMES)]
    reopen += [(f"{v} {{t1}} {back}to {s}", REOPEN)
               for v, s, back in itertools.product(_STATE_VERBS, _OPEN_STATES, ("", "back "))]
    return [move, rename, undate, reopen]


def _update() -> list[Template]:
    return [t for group in _update_groups() for t in group]


_RESTORE_VERBS = ["restore", "bring back", "undelete", "recover", "get back", "retrieve", "un-delete", "put back"]
_RESTORE_FRAMES = ["{v} {t1}", "{v} the task {t1}", "{v} '{t1}' from the trash", "{v} {t1} to my list",
                   "{v} the deleted task {t1}"]
_RESTORE_STATEMENT = ["{t1} needs to come back", "get {t1} out of the trash", "bring {t1} back from the bin",
                      "I want {t1} back", "return {t1} to the list", "un-trash {t1}", "I need {t1} back",
                      "take {t1} out of the trash", "{t1} back on the list please", "restore the task called {t1}",
                      "I deleted {t1} by accident", "{t1} was deleted by mistake", "I didn't mean to delete {t1}",
                      "I still need {t1}, restore it", "{t1} should not be in the trash", "where did {t1} go? bring it back",
                      "undo the delete of {t1}", "{t1} wasn't supposed to be removed"]


def _restore() -> list[Template]:
    out: list[Template] = [(f.replace("{v}", v), RESTORE) for v, f in itertools.product(_RESTORE_VERBS, _RESTORE_FRAMES)]
    return out + [(s, RESTORE) for s in _RESTORE_STATEMENT]


def _delete() -> list[Template]:
    out: list[Template] = [(f.replace("{v}", v), DEL) for v, f in itertools.product(_DELETE_VERBS, _DELETE_FRAMES)]
    out += [(s + t, DEL) for s, t in itertools.product(_DELETE_STATEMENT, _DELETE_TAILS)]
    return out


_CONVERSATION = {
    "greeting": ["hi there", "hello", "hey there", "morning!", "yo", "hiya", "howdy", "hey, what's up?", "how are you?",
                 "how are you doing today?", "good day", "hello again", "hi!", "evening!", "hey hey"],
    "thanks": ["thanks", "thank you", "thx", "many thanks", "great, thanks", "perfect, thank you",
               "that's helpful, thanks", "awesome", "much appreciated", "nice, thank you!", "ty", "cool, thanks",
               "you're the best", "brilliant, thanks a lot"],
    "capabilities": ["what can you help with?", "what do you do?", "how can you help me?", "what are you for?",
                     "what can I ask you?", "help", "what kind of things can you do?", "what are your abilities?",
                     "what do you know how to do?", "how does this work?", "what are you?", "who are you?",
                     "what commands do you understand?", "what can I use you for?", "what's this bot for?"],
    "goodbye": ["bye bye", "see you", "good night", "talk to you later", "later!", "that's all for now",
                "I'm done for today", "catch you later", "ciao", "have a good one"],
}

_OUT_OF_SCOPE = [
    # knowledge questions
    "how far away is the Moon?", "who wrote Hamlet?", "when was the Eiffel Tower built?", "how old is the universe?",
    "what's the population of Japan?", "how deep is the Pacific Ocean?", "who painted the Mona Lisa?",
    "what's the speed of light?", "how many legs does a spider have?", "why is the sky blue?",
    "what's the tallest building in the world?", "how long is the Nile?", "what does DNA stand for?",
    "who is the president of France?", "what's the square root of 144?", "convert 10 miles to km",
    "what's 15% of 80?", "how big is the Sun?", "who invented the telephone?", "what's the biggest animal?",
    "how hot is the surface of Venus?", "what language do they speak in Brazil?", "how heavy is an elephant?",
    "when did World War II end?", "what's the longest river in Europe?", "how many people live in Canada?",
    # creative writing and chat
    "write a haiku about the sea", "write a song about summer", "compose a limerick about cats", "tell me a story",
    "make up a riddle", "write an essay on climate change", "tell me a fun fact", "sing me a song",
    "write a love letter for me", "give me a pun", "describe a sunset in three lines", "write a rap about coffee",
    # actions in other apps or the world
    "call an Uber", "turn off the lights", "send a text to Mike saying I'm on my way", "email my boss that I'm sick",
    "order sushi for dinner", "buy me a coffee", "play the news", "open YouTube", "start a timer for 10 minutes",
    "book a table for two tonight", "transfer 50 euros to Anna", "post this on Instagram", "turn up the heating",
    "find me a cheap hotel in Madrid", "get me a taxi to the airport", "stream the football match",
    # advice and opinions
    "what should I eat for dinner?", "give me tips for sleeping better", "what's a good book to read?",
    "explain quantum physics", "how do I tie a tie?", "what's the meaning of life?", "is coffee bad for you?",
    "which phone should I buy?", "how do I learn Spanish fast?", "what's the best way to lose weight?",
    # doing it now, for the user: a task assistant can only note it down
    "order a pizza for me right now", "order me a taxi", "buy these shoes for me", "call my mom for me",
    "book me a haircut now", "pay my phone bill for me", "send flowers to my wife", "reserve a table at 8",
    "get me tickets for the match", "transfer money to my savings", "email my landlord for me",
    "text Sam that I'm running late", "message the team that the meeting moved", "order groceries online for me",
    # weather and time
    "is it going to snow this weekend?", "how hot is it today?", "what's the forecast for Berlin?",
    "when does the sun set today?", "what day of the week was 1 January 2000?",
]

_NEGATION = ["don't add {t1}", "do not add {t1}, I changed my mind", "forget {t1}, don't add it",
             "no, don't make a task for {t1}", "wait, don't add {t1}", "I don't want {t1} on my list",
             "leave {t1} off the list", "{t1} doesn't need a task", "no reminder for {t1}",
             "don't bother adding {t1}", "ignore {t1}, don't add it", "don't put {t1} down",
             "I changed my mind about {t1}, don't add it", "no task for {t1}, thanks", "please don't remind me to {t1}",
             "{t1}? no, don't add that", "don't track {t1}", "you don't need to add {t1}", "not {t1}, don't add it",
             "there's no need for a {t1} task"]

_CLARIFY = ["{v} a task", "{v} a new task", "{v} a to-do", "{v} a reminder", "{v} something", "{v} an item",
            "{v} a task {d1}", "{v} something {d1}", "{v} a reminder {d1}", "{v} a to-do {d1}", "{v} one more task"]
_CLARIFY_STATEMENT = ["I need to remember something", "remind me {d1}", "I have something to do {d1}",
                      "there's a thing I need to do {d1}", "new to-do", "task for {d1}", "I want to add a task",
                      "can I add a task?", "I need a new task", "something's due {d1}, add it",
                      "put a thing on my list", "remind me of something", "I have a task for you",
                      "add", "new reminder", "I've got something to add"]


def _simple(items: Iterable[str], outcome) -> list[Template]:
    return [(text, outcome) for text in items]


# One clause per single intent, for composing multi-intent requests (slot names substituted).
def _clauses(t: str, d: str) -> list[tuple[str, Calls]]:
    add = [("add_task", {"title": t})]
    add_d = [("add_task", {"title": t, "due_date": d})]
    return [(f"add {{{t}}}", add), (f"create a task to {{{t}}}", add), (f"remind me to {{{t}}} {{{d}}}", add_d),
            (f"add {{{t}}} {{{d}}}", add_d), (f"{{{t}}} {{{d}}}", add_d), (f"{{{t}}}", add),
            (f"put '{{{t}}}' on my list {{{d}}}", add_d), (f"jot down {{{t}}}", add),
            (f"mark {{{t}}} done", [("complete_task", {"title": t})]),
            (f"I finished {{{t}}}", [("complete_task", {"title": t})]),
            (f"check off {{{t}}}", [("complete_task", {"title": t})]),
            (f"delete {{{t}}}", [("delete_task", {"title": t})]),
            (f"get rid of {{{t}}}", [("delete_task", {"title": t})]),
            (f"drop {{{t}}}", [("delete_task", {"title": t})]),
            (f"move {{{t}}} to {{{d}}}", [("update_task", {"title": t, "due_date": d})]),
            (f"restore {{{t}}}", [("restore_task", {"title": t})])]


_TAIL_CLAUSES: list[tuple[str, Calls]] = [
    ("show my list", LIST("open")), ("show me what's open", LIST("open")), ("list everything", LIST("all")),
    ("show all my tasks", LIST("all")), ("show what I've finished", LIST("done")),
    ("give me a summary", SUM), ("how many tasks do I have now?", SUM)]
_JOINS = [" and ", ", then ", "; also ", ". Also ", " and then ", ", plus ", " & ", ", and after that ", " as well as ",
          ", and also ", ", ", " + ", ". And ", " along with "]


def _multi_intent() -> list[Template]:
    out: list[Template] = []
    firsts, seconds = _clauses("t1", "d1"), _clauses("t2", "d2")
    for (a, ca), (b, cb), join in itertools.product(firsts, seconds, _JOINS):
        if ca[0][0] != cb[0][0] or ca[0][0] == "add_task":
            out.append((a + join + b, ca + cb))
    for (a, ca), (b, cb), join in itertools.product(firsts, _TAIL_CLAUSES, _JOINS):
        out.append((a + join + b, ca + cb))
    return out


# Training v3, multi_intent (generator 2.6.0): a finished task said as a fact ("I did X", "X is
# sorted", any of _DONE_STATEMENT) beside a request, in either order. _clauses above says completion
# only as "mark X done", "I finished X" or "check off X", so a fact the model had seen only alone
# read as a new task once a request followed it. Drawn only by rows lib.synth.generate appends.
_REQUESTS: list[tuple[str, Calls]] = [
    ("add {t} {d}", [("add_task", {"title": "t", "due_date": "d"})]),
    ("also add {t} {d}", [("add_task", {"title": "t", "due_date": "d"})]),
    ("put {t} on my list {d}", [("add_task", {"title": "t", "due_date": "d"})]),
    ("remind me to {t} {d}", [("add_task", {"title": "t", "due_date": "d"})]),
    ("I need to {t} {d}", [("add_task", {"title": "t", "due_date": "d"})]),
    ("create a task to {t} {d}", [("add_task", {"title": "t", "due_date": "d"})]),
    ("new task: {t} {d}", [("add_task", {"title": "t", "due_date": "d"})]),
    ("can you add {t} {d}?", [("add_task", {"title": "t", "due_date": "d"})]),
    ("add {t}", [("add_task", {"title": "t"})]), ("also add {t}", [("add_task", {"title": "t"})]),
    ("put {t} on my list", [("add_task", {"title": "t"})]), ("remind me to {t}", [("add_task", {"title": "t"})]),
    ("jot down {t}", [("add_task", {"title": "t"})]),
    ("delete {t}", [("delete_task", {"title": "t"})]), ("remove {t} from my list", [("delete_task", {"title": "t"})]),
    ("show my list", LIST("open")), ("what's left?", LIST("open")), ("give me a summary", SUM)]
_FACT_JOINS = [" and ", ", ", "; ", ". ", ", and ", ". Also ", " and also ", ", so ", ". Now ", ", now "]
_NEUTRAL_JOINS = 6  # the first six also read right after a request ("add X, so I did Y" does not)


def _slots(text: str, calls: Calls, t: str, d: str) -> tuple[str, Calls]:
    """A request clause with its task and date slots named t/d -> t1/d1 or t2/d2."""
    names = {"t": t, "d": d}
    named = [(tool, {k: names.get(v, v) for k, v in spec.items()}) for tool, spec in calls]
    return fill(text, {k: "{" + v + "}" for k, v in names.items()}), named


def done_fact_multi_intent(n: int = 64, seed: int = 3407) -> list[Template]:
    """`n` two-part requests, one part a done statement, none sharing a core with a held-out
    template or with another (deterministic)."""
    done_t1 = [("complete_task", {"title": "t1"})]
    done_t2 = [("complete_task", {"title": "t2"})]
    candidates: list[Template] = []
    for fact, (req, calls), join in itertools.product(_DONE_STATEMENT, _REQUESTS, _FACT_JOINS):
        text, named = _slots(req, calls, "t2", "d2")
        candidates.append((fact + join + text, done_t1 + named))
        if join in _FACT_JOINS[:_NEUTRAL_JOINS]:
            text, named = _slots(req, calls, "t1", "d1")
            candidates.append((text + join + fill(fact, {"t1": "{t2}"}), named + done_t2))
    rng = random.Random(f"done-facts-{seed}")
    rng.shuffle(candidates)
    picked, seen = [], held_out_cores()
    for text, calls in candidates:
        c = core(text)
        if c not in seen:
            seen.add(c)
            picked.append((text, calls))
        if len(picked) == n:
            break
    return picked


# Follow-ups after "add {t1}": a new task only, never the earlier one again.
MULTI_TURN_FOLLOW_UPS: list[Template] = [
    ("also {t2}", ADD_T2), ("oh, and {t2}", ADD_T2), ("another one: {t2}", ADD_T2),
    ("add {t2} too", ADD_T2), ("plus {t2}", ADD_T2), ("next: {t2}", ADD_T2), ("{t2} as well", ADD_T2),
    ("also add {t2}", ADD_T2), ("and {t2} {d2}", [("add_task", {"title": "t2", "due_date": "d2"})]),
    ("one more thing: {t2} {d2}", [("add_task", {"title": "t2", "due_date": "d2"})]),
    ("delete it again", DEL), ("actually that's done already", DONE),
    ("move it to {d1}", MOVE), ("make that due {d1}", MOVE), ("push it to {d1}", MOVE), ("no wait, {d1}", MOVE),
    ("rename it {t2}", RENAME), ("call it {t2}", RENAME), ("drop the date", UNDATE), ("it has no deadline", UNDATE),
    ("that one's finished now", DONE), ("I've done it already, tick it off", DONE), ("it's done already", DONE),
    ("mark it done, I did it", DONE), ("scratch that, remove it", DEL), ("actually delete that", DEL),
    ("change its name to {t2}", RENAME), ("no deadline for that one", UNDATE),
]
# Follow-ups after "delete {t1}": changing one's mind.
AFTER_DELETE_FOLLOW_UPS: list[Template] = [
    ("undo that", RESTORE), ("wait, I need it", RESTORE), ("no, restore it", RESTORE), ("oops, put it back", RESTORE),
    ("no wait, I want it back", RESTORE), ("undo the delete", RESTORE), ("bring it back please", RESTORE),
    ("oops, restore that", RESTORE),
]
# Follow-ups after "mark {t1} done".
AFTER_DONE_FOLLOW_UPS: list[Template] = [
    ("not yet actually, reopen it", REOPEN), ("sorry, it's not done", REOPEN), ("undo, it's still open", REOPEN),
    ("wait, it's not finished", REOPEN), ("reopen it", REOPEN), ("mark it open again", REOPEN),
    ("I spoke too soon, it's not done", REOPEN),
]


def base_families() -> dict[str, list[Template]]:
    """Every composed family per category, before wrapping and filtering."""
    return {
        "add_dated": _add(True), "add_undated": _add(False), "list": _list(), "summarize": _summarize(),
        "complete": _complete(), "delete": _delete(), "update": _update(), "restore": _restore(),
        "conversation": [(t, kind) for kind, items in _CONVERSATION.items() for t in items],
        "out_of_scope": _simple(_OUT_OF_SCOPE, "out_of_scope"),
        "clarification": _simple([f.replace("{v}", v) for f, v in itertools.product(_CLARIFY, _ADD_VERBS)]
                                 + _CLARIFY_STATEMENT, "clarification"),
        "negation": _simple(_NEGATION, "negation"),
        "multi_intent": _multi_intent(),
    }


# Conversation turns ("hi", "thanks", "see you") are never wrapped: "hi, thanks" is no phrasing of
# either, and lib.synth.heldout.core could not tell which one it was.
UNWRAPPED_CATEGORIES = ("conversation",)


def _wrap(rng: random.Random, text: str, category: str) -> str:
    if category in UNWRAPPED_CATEGORIES:
        return text
    imperative = not re.match(r"(?i)(i |i'|\{|what|which|how|who|when|why|is |do |does |am |any|not |no |there|"
                              r"managed|got|just|finished|done|gotta|need|don't|you|thanks|thank|later|"
                              r"hello|hi|hey|good|yo |ciao|evening|morning|task|todo|to-do|reminder|note|new)", text)
    prefix = rng.choice(PREFIXES) if imperative and rng.random() < 0.5 else ""
    tail = rng.choice(TAILS) if rng.random() < 0.3 and not text.endswith("?") else ""
    return prefix + text + tail


def composed_templates(seed: int = 3407, per_category: int = 150) -> dict[str, list[Template]]:
    """Up to `per_category` composed training templates per category (deterministic), none sharing
    a core with a held-out template or with another composed one."""
    held_out, rng = held_out_cores(), random.Random(f"paraphrases-{seed}")
    out: dict[str, list[Template]] = {}
    for category, families in base_families().items():
        # update takes its four kinds of change in turn (see _update_groups); the rest are one group
        groups = _update_groups() if category == "update" else [list(families)]
        for group in groups:
            rng.shuffle(group)
        families = [t for turn in itertools.zip_longest(*groups) for t in turn if t is not None]
        picked, seen = [], set(held_out)
        for text, outcome in families:
            wrapped = _wrap(rng, text, category)
            c = core(wrapped)
            if c and c not in seen:
                seen.add(c)
                picked.append((wrapped, outcome))
            if len(picked) >= per_category:
                break
        out[category] = picked
    return out


def composed_multi_turn() -> list[tuple[list[Template], Template]]:
    """Multi-turn families: a plain first turn, then a composed follow-up (held-out cores dropped)."""
    held_out = held_out_cores()
    pairs = [(("add {t1}", ADD), MULTI_TURN_FOLLOW_UPS), (("delete {t1}", DEL), AFTER_DELETE_FOLLOW_UPS),
             (("mark {t1} done", DONE), AFTER_DONE_FOLLOW_UPS)]
    return [([first], last) for first, follow_ups in pairs for last in follow_ups if core(last[0]) not in held_out]

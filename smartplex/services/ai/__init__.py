"""The AI chat: a member's questions answered from their library, by any OpenAI-compatible model or, when there
is none (or it fails, its circuit is open, or the month's budget is spent), by the built-in answerer.

- `chat`: one turn (rate limit, conversation, model rounds with tools, fallbacks, Stop, Retry).
- `client`: streaming chat completions with the timeout, one retry and the circuit breaker.
- `context`: the compact system prompt and the member's profile; `tools`: what the model may call, scoped to
  the member (`library`: the queries behind them; `periods`: "last week", "in March").
- `builtin`: the answerer without a model; `mentions`: which titles an answer names (poster cards).
- `conversations`: a member's threads; `provider`: the admin's settings; `costs`: calls, prices and budget.
"""

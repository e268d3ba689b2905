package patterns

import "exlog/patterns/internal/rule"

type ruleCtx = rule.Ctx

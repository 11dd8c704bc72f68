package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** Business rules (decision 16, issue 24) from Kotlin: save, list, dry-run, act, explain, retire, refusals. */
class RulesTest {
    private val d = "customer:SUP-D"
    private val a = "customer:SUP-A"

    private val happy = RuleSpec(
        name = "happy sets",
        trigger = RuleTrigger.CampaignCreated,
        condition = "esme.model == \"EM-B2\" && version(\"4.0\") <= esme.firmware",
        action = RuleAction.Approve,
    )

    private fun create(e: Engine, id: String, day: Long) =
        e.execute("dcc", t(day), Command.CreateCampaign(CreateCampaign(id, "CH-N-DB", "2.0", t(60), CampaignPolicy())))

    private fun save(e: Engine, who: String, day: Long, rule: RuleSpec) = e.execute(who, t(day), Command.SaveRule(SaveRule(rule)))

    @Test
    fun `a rule approves sets in a new campaign and explain names it`(): Unit = fixture("rollout_estate.json").use { e ->
        assertEquals(1, save(e, d, 1, happy).size)
        assertEquals(listOf("happy sets"), e.ask<Answer.Rules>(d, Query.Rules).v1.map { it.spec.name })
        assertTrue(e.ask<Answer.Rules>(a, Query.Rules).v1.isEmpty())
        val events = create(e, "C2", 2)
        val acted = events.map { it.payload }.filterIsInstance<EventPayload.RuleActed>().single().v1
        assertEquals(RuleRef("happy sets", 1), acted.rule)
        assertTrue(acted.act is RuleAct.Approved)
        val why = e.ask<Answer.Explanation>(d, Query.Explain("C2", h(0x16), t(2))).v1
        assertEquals(listOf(RuleNote(RuleRef("happy sets", 1), "approved", null)), why.rules)
        // A hold rule: dry run, then its act as a blocker naming it.
        val hold = RuleSpec(name = "hold Y", trigger = RuleTrigger.CampaignCreated, condition = "esme.model == \"EM-B2\"",
            action = RuleAction.Hold("our checks", null, HoldFrom.TRIGGER), priority = 5)
        val dry = e.ask<Answer.DryRun>(d, Query.DryRunRule(hold, t(3))).v1
        assertEquals(listOf(Triple("held", 1L, 4L)), dry.counts.map { Triple(it.act, it.sets, it.hubsInSets) })
        save(e, d, 3, hold)
        create(e, "C3", 3)
        val blockers = e.ask<Answer.Explanation>(d, Query.Explain("C3", h(0x17), t(3))).v1.blockers
        assertTrue(blockers.contains(Blocker.HeldByRule(Party.You, RuleRef("hold Y", 1), null)), blockers.toString())
        e.execute(d, t(4), Command.RetireRule(RetireRule("hold Y")))
        assertEquals(listOf(false, true), e.ask<Answer.Rules>(d, Query.Rules).v1.map { it.retiredAt != null })
    }

    @Test
    fun `the DCC's rule sets cut-offs when mass rollout begins`(): Unit = fixture("rollout_estate.json").use { e ->
        val cut = RuleSpec(name = "cut-offs", trigger = RuleTrigger.CampaignPhaseChanged,
            condition = "trigger.phase == \"mass_rollout\"", action = RuleAction.SetCutoffs(30, listOf(CutoffExtra("SUP-D", 14))))
        save(e, "dcc", 1, cut)
        create(e, "C2", 2)
        e.execute("dcc", t(3), Command.GrantPilotOa(GrantPilotOa("C2")))
        e.execute("dcc", t(5), Command.GrantMassRolloutOa(GrantMassRolloutOa("C2", "no pilot here")))
        assertEquals(t(35), e.ask<Answer.Campaign>("dcc", Query.Campaign("C2")).v1.defaultCutoff)
    }

    @Test
    fun `every refused rule throws its typed exception`(): Unit = fixture("rollout_estate.json").use { e ->
        fun rule(condition: String, action: RuleAction = RuleAction.Approve) =
            RuleSpec(name = "r", trigger = RuleTrigger.CampaignCreated, condition = condition, action = action)
        val unknown = assertThrows(CommsHubOtaException.InvalidCondition::class.java) { save(e, d, 1, rule("esme.firmwar >= version(\"2\")")) }
        assertEquals(Pair(1, 6), Pair(unknown.line, unknown.column))
        assertTrue(unknown.reason.contains("unknown attribute"), unknown.reason)
        assertEquals(ErrorKind.INVALID_CONDITION, unknown.kind)
        val type = assertThrows(CommsHubOtaException.InvalidCondition::class.java) { save(e, d, 1, rule("esme.firmware >= \"2.0\"")) }
        assertTrue(type.reason.contains("write the text as a version"), type.reason)
        val never = assertThrows(CommsHubOtaException.InvalidCondition::class.java) { save(e, d, 1, rule("hub.smi_status == \"comissioned\"")) }
        assertTrue(never.reason.contains("can never hold"), never.reason)
        assertThrows(CommsHubOtaException.InvalidCondition::class.java) { save(e, d, 1, rule("esme.model ==")) }
        assertThrows(CommsHubOtaException.InvalidCondition::class.java) { e.ask<Answer.DryRun>(d, Query.DryRunRule(rule("nope"), t(1))) }
        val big = assertThrows(CommsHubOtaException.InvalidInput::class.java) { save(e, d, 1, rule("true || ".repeat(400) + "true")) }
        assertEquals("rule.condition", big.field)
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { save(e, d, 1, rule("", RuleAction.SetCutoffs(30, listOf()))) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { save(e, "csp:north", 1, rule("")) }
        save(e, d, 1, happy)
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.execute(a, t(1), Command.RetireRule(RetireRule("happy sets"))) }
        val same = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { save(e, d, 1, happy) }
        assertEquals(Rule.NO_CHANGE, same.rule)
        assertFalse(e.ask<Answer.Rules>(d, Query.Rules).v1.isEmpty())
    }

    /** docs/rules.md's two rules in Kotlin, as written there (the test below checks they are). */
    private fun docsTwoRules(engine: Engine, supplier: String, at: java.time.Instant): DryRun {
        val happy = RuleSpec(
            name = "happy sets",
            trigger = RuleTrigger.CampaignCreated,
            condition = "esme.model == \"EM-B2\" && version(\"4.0\") <= esme.firmware",
            action = RuleAction.Approve,
        )
        val settle = RuleSpec(
            name = "settle in",
            trigger = RuleTrigger.HubCommissioned,
            action = RuleAction.Hold("let it settle", 30, HoldFrom.COMMISSION),
            notify = true,
        )
        val dry = engine.ask<Answer.DryRun>(supplier, Query.DryRunRule(happy, at)).v1
        engine.execute(supplier, at, Command.SaveRule(SaveRule(happy)))
        engine.execute(supplier, at, Command.SaveRule(SaveRule(settle)))
        return dry
    }

    @Test
    fun `the Kotlin and Java blocks of docs rules md are the code that runs`(): Unit = fixture("rollout_estate.json").use { e ->
        val root = Conformance.testsDir.parent
        val doc = java.nio.file.Files.readString(root.resolve("docs/rules.md"))
        fun unindented(text: String) = text.lines().map { it.trim() }.filter { it.isNotEmpty() }.joinToString("\n")
        for ((language, file) in listOf(
            "kotlin" to "bindings-kotlin/src/test/kotlin/commshub/ota/RulesTest.kt",
            "java" to "bindings-kotlin/src/test/java/commshub/ota/JavaApiTest.java",
        )) {
            val blocks = Regex("```$language\n(.*?)```", RegexOption.DOT_MATCHES_ALL).findAll(doc).map { it.groupValues[1] }.toList()
            assertEquals(1, blocks.size, language)
            val source = java.nio.file.Files.readString(root.resolve(file))
            assertTrue(unindented(source).contains(unindented(blocks[0])), "docs/rules.md's $language block differs from $file")
        }
        create(e, "C2", 2)
        val dry = docsTwoRules(e, d, t(3))
        // SUP-D's hubs 16-19 are on set Y.
        assertEquals(listOf("approved" to 4L), dry.counts.map { it.act to it.hubsInSets })
        assertEquals(listOf("happy sets", "settle in"), e.ask<Answer.Rules>(d, Query.Rules).v1.map { it.spec.name })
    }
}

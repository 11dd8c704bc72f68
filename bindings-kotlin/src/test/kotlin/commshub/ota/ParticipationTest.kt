package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.Instant

class ParticipationTest {
    private val a = "customer:SUP-A"

    private fun piloting(): Engine = fixture("pilot_c1.json")
    private fun explain(e: Engine, who: String, n: Int, day: Long) = e.ask<Answer.Explanation>(who, Query.Explain("C1", h(n), t(day))).v1
    private fun participation(e: Engine, who: String, customer: String, day: Long) =
        e.ask<Answer.Participation>(who, Query.Participation("C1", customer, t(day))).v1
    private fun nominate(vararg n: Int) = Command.NominateHubs(NominateHubs("C1", n.map { h(it) }))

    @Test
    fun `nominations come back per hub and explain is typed and scoped`(): Unit = piloting().use { e ->
        val event = e.execute(a, t(3), nominate(1, 2, 5)).single()
        assertEquals(listOf(h(1)), (event.payload as EventPayload.HubsNominated).v1.hubs)
        assertEquals(listOf(h(2), h(5)), event.refused.map { it.hub })
        assertThrows(CommsHubOtaException.BulkRejected::class.java) { e.execute(a, t(3), nominate(1)) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute("dcc", t(3), nominate(1)) }
        assertThrows(CommsHubOtaException.InvalidId::class.java) { e.execute(a, t(3), Command.NominateHubs(NominateHubs("C1", listOf("nope")))) }

        e.execute(a, t(3), nominate(6))
        assertEquals(listOf<Blocker>(Blocker.AwaitingConsent(SupplyRole.GAS, Party.OtherSupplier, null)), explain(e, a, 6, 3).blockers)
        assertEquals(
            listOf<Blocker>(Blocker.AwaitingConsent(SupplyRole.GAS, Party.Customer("SUP-C"), Instant.parse("2026-03-02T09:00:00Z"))),
            explain(e, "dcc", 6, 3).blockers,
        )
        assertEquals(listOf(h(6)), participation(e, "customer:SUP-C", "SUP-C", 3).otherSupplierConsented)
        e.execute("customer:SUP-C", t(4), Command.ApproveWholeEstate(ApproveWholeEstate("C1")))
        val page = e.ask<Answer.UpgradePage>("csp:north", Query.UpgradeList(Region.NORTH, t(4), 0L, 10L)).v1
        assertEquals(listOf(h(1), h(6), h(5)), page.entries.map { it.hub })
        assertTrue(page.entries[0].nominated)
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.query("csp:south", Query.UpgradeList(Region.NORTH, t(4), 0L, 10L)) }
    }

    @Test
    fun `rejections, verdicts and the mass rollout gate`(): Unit = piloting().use { e ->
        e.execute(a, t(3), nominate(1))
        e.execute(a, t(3), Command.RejectHubs(RejectHubs("C1", listOf(h(7)), "site access")))
        val x = explain(e, a, 7, 61)
        assertFalse(x.upgradeable)
        assertEquals(Blocker.Rejected(SupplyRole.IMPORT, Party.You, "site access"), x.blockers.last())
        e.execute(a, t(3), Command.WithdrawRejections(WithdrawRejections("C1", listOf(h(7)))))
        val massRollout = { reason: String? -> Command.GrantMassRolloutOa(GrantMassRolloutOa("C1", reason)) }
        val gate = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.execute("dcc", t(4), massRollout(null)) }
        assertEquals(Rule.PILOT_ASSESSMENT, gate.rule)
        assertTrue(gate.detail.contains("SUP-A"))
        e.execute(a, t(5), Command.RecordPilotVerdict(RecordPilotVerdict("C1", PilotVerdict.IssuesFound("slow IHD reconnect"))))
        assertEquals(PilotVerdict.IssuesFound("slow IHD reconnect"), participation(e, "dcc", "SUP-A", 5).verdict)
        // Issues found hold mass rollout until the DCC overrides with a reason (decision 24).
        val issues = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.execute("dcc", t(5), massRollout(null)) }
        assertTrue(issues.detail.contains("slow IHD reconnect"), issues.detail)
        e.execute("dcc", t(5), massRollout("security fix"))
        assertEquals(Phase.MASS_ROLLOUT, e.ask<Answer.Campaign>("dcc", Query.Campaign("C1")).v1.phase)
        assertEquals(4, e.ask<Answer.Participations>("dcc", Query.Participations("C1", t(5))).v1.size)
    }

    @Test
    fun `proposals, policies and configuration sets`(): Unit = piloting().use { e ->
        val propose = { size: Int -> e.ask<Answer.PilotProposal>(a, Query.ProposePilot("C1", size, 7L, t(3))).v1.hubs }
        assertEquals(propose(2), propose(2))
        assertEquals(2, propose(2).size)
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { propose(0) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.execute("dcc", t(3), Command.CreateCampaign(CreateCampaign("C2", "CH-N-DB", "2.0", t(60), CampaignPolicy(pilotCapPerCustomer = 0))))
        }
        val d = "customer:SUP-D"
        val set = e.ask<Answer.Hub>(d, Query.Hub(h(8))).v1.configurationSet
        e.execute(d, t(3), Command.ApproveConfigurationSets(ApproveConfigurationSets("C1", listOf(set))))
        assertEquals(listOf(set.key()), participation(e, d, "SUP-D", 3).approvedConfigurationSets.map { it.key() })
        val withdraw = Command.WithdrawConfigurationSetApprovals(WithdrawConfigurationSetApprovals("C1", listOf(set)))
        e.execute(d, t(4), withdraw)
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.execute(d, t(4), withdraw) }
        e.execute(d, t(4), Command.ApproveWholeEstate(ApproveWholeEstate("C1")))
        e.execute(d, t(4), Command.WithdrawWholeEstateApproval(WithdrawWholeEstateApproval("C1")))
        e.execute(a, t(4), nominate(1))
        e.execute(a, t(4), Command.WithdrawNominations(WithdrawNominations("C1", listOf(h(1)))))
        e.execute(a, t(4), Command.RejectHubs(RejectHubs("C1", listOf(h(1)), "later")))
        e.execute("dcc", t(5), Command.OverrideRejections(OverrideRejections("C1", h(1), "urgent")))
        assertTrue(participation(e, a, "SUP-A", 5).rejected.isEmpty())
    }

    @Test
    fun `a pilot proposal covers as many sets as its size allows`(): Unit = fixture("two_regions.json").use { e ->
        // Five large sets (2 super-friendly hubs and 20 others each), 45 small ones (2 hubs each).
        val models = (0 until 5).flatMap { b -> List(22) { "EM-B$b" } } + (0 until 45).flatMap { s -> List(2) { "EM-S%02d".format(s) } }
        val friendly = (0 until 5).flatMap { List(22) { k -> k < 2 } } + List(90) { false }
        val hubs = models.indices.map { i ->
            HubInput(
                id = "%016X".format(1000 + i), variant = "CH-N-DB", firmware = "1.1", smiStatus = SmiStatus.COMMISSIONED,
                installedOn = "2024-03-01", commissionedOn = "2024-03-02", devices = HanDevices(esme = HanDevice(models[i], "1.0")),
                importSupplier = "SUP-F", importFlags = ConsumerFlags(superFriendly = friendly[i]),
            )
        }
        e.loadEstate("dcc", t(0), hubs)
        e.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C9", "CH-N-DB", "2.0", t(60), CampaignPolicy())))
        e.execute("dcc", t(2), Command.GrantPilotOa(GrantPilotOa("C9")))
        val proposal = e.ask<Answer.PilotProposal>("customer:SUP-F", Query.ProposePilot("C9", 40, 7L, t(5))).v1
        val chosen = proposal.hubs
        assertEquals(40, chosen.size)
        assertEquals(Triple(50L, 35L, 8500), Triple(proposal.sets, proposal.setsCovered, proposal.coverageBp))
        val sets = chosen.map { e.ask<Answer.Hub>("dcc", Query.Hub(it)).v1.configurationSet.devices.esme?.model }.toSet()
        assertEquals(35, sets.size)
        assertEquals(5, sets.count { it!!.startsWith("EM-B") })
    }
}

package commshub.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import commshub.ota.model.*;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library as a Java team uses it: static factories, typed actors, unchecked exceptions
 * (lambdas and streams with no wrapping), java.time, immutable records with readable
 * toString, and no member Java cannot call.
 */
class JavaApiTest {
    private static final Instant T1 = Instant.parse("2026-01-02T09:00:00Z");
    private static final Instant T2 = Instant.parse("2026-01-03T09:00:00Z");
    private static final String HUB_2 = "00-00-00-00-00-00-00-02";

    /** The conformance world (two regions, four hubs, SUP-A to SUP-C), and campaign C1 in Draft. */
    private static Engine world() {
        Engine e = SupportKt.fixture("two_regions.json");
        e.execute(Actor.dcc(), T1, campaign("C1"));
        return e;
    }

    private static Command campaign(String id) {
        // The policy is left out: @JvmOverloads gives Java the record's defaults.
        return new Command.CreateCampaign(new CreateCampaign(id, "CH-N-DB", "2.0", Instant.parse("2026-03-01T00:00:00Z")));
    }

    private static HubInput hub(String id, String variant) {
        // The trailing optional fields (devices, suppliers, flags) left out: @JvmOverloads.
        return new HubInput(id, variant, "1.1", SmiStatus.COMMISSIONED, "2024-01-01", "2024-01-02");
    }

    @Test
    void everyErrorKindIsCaughtByItsType(@TempDir Path dir) throws IOException {
        try (Engine e = world()) {
            Actor supA = Actor.customer("SUP-A");
            CommsHubOtaException.NotPermitted np = assertThrows(CommsHubOtaException.NotPermitted.class,
                () -> e.execute(supA, T2, new Command.GrantPilotOa(new GrantPilotOa("C1"))));
            assertEquals("customer:SUP-A", np.getActor());
            assertEquals(ErrorKind.NOT_PERMITTED, np.getKind());

            CommsHubOtaException.IllegalTransition it = assertThrows(CommsHubOtaException.IllegalTransition.class,
                () -> e.execute(Actor.dcc(), T2, new Command.GrantMassRolloutOa(new GrantMassRolloutOa("C1"))));
            assertEquals(Phase.DRAFT, it.getCurrent());
            assertEquals(Transition.START_MASS_ROLLOUT, it.getAttempted());

            CommsHubOtaException.NotFound nf = assertThrows(CommsHubOtaException.NotFound.class,
                () -> e.query(Actor.dcc(), new Query.Campaign("C404")));
            assertEquals(Entity.CAMPAIGN, nf.getEntity());
            assertEquals("C404", nf.getId());

            CommsHubOtaException.AlreadyExists ae = assertThrows(CommsHubOtaException.AlreadyExists.class,
                () -> e.execute(Actor.dcc(), T2, campaign("C1")));
            assertEquals(Entity.CAMPAIGN, ae.getEntity());

            CommsHubOtaException.PreconditionFailed pf = assertThrows(CommsHubOtaException.PreconditionFailed.class,
                () -> e.execute(Actor.dcc(), T2, new Command.ExtendCutoff(new ExtendCutoff("C1", "SUP-A", T2))));
            assertEquals(Rule.CUTOFF_NOT_LATER, pf.getRule());

            CommsHubOtaException.InvalidInput ii = assertThrows(CommsHubOtaException.InvalidInput.class,
                () -> e.query(Actor.dcc(), new Query.Notifications(-1L)));
            assertEquals("limit", ii.getField());
            assertTrue(ii.getMessage().contains("-1"), ii.getMessage());

            CommsHubOtaException.InvalidId id = assertThrows(CommsHubOtaException.InvalidId.class,
                () -> Actor.customer("not a customer"));
            assertEquals(IdKind.CUSTOMER, id.getIdKind());

            CommsHubOtaException.BulkRejected br = assertThrows(CommsHubOtaException.BulkRejected.class,
                () -> e.loadEstate(Actor.dcc(), T2, List.of(hub("0000000000000100", "CH-N-DB"), hub("0000000000000101", "NOPE"))));
            assertEquals(List.of(1L), br.getRows().stream().map(RowError::getRow).collect(Collectors.toList()));

            Path log = dir.resolve("log.jsonl");
            e.writeLog(log.toString());
            List<String> lines = Files.readAllLines(log);
            List<String> corrupt = new ArrayList<>(lines);
            corrupt.add(2, "{not json");
            Files.write(dir.resolve("corrupt.jsonl"), corrupt);
            CommsHubOtaException.CorruptLog cl = assertThrows(CommsHubOtaException.CorruptLog.class,
                () -> Engine.replayLog(dir.resolve("corrupt.jsonl").toString()));
            assertEquals(3L, cl.getLine());

            List<String> newer = new ArrayList<>(lines);
            newer.set(0, lines.get(0).replaceFirst("\"schema\":" + CommsHubOta.schemaVersion(), "\"schema\":9"));
            Files.write(dir.resolve("newer.jsonl"), newer);
            CommsHubOtaException.UnsupportedSchema us = assertThrows(CommsHubOtaException.UnsupportedSchema.class,
                () -> Engine.replayLog(dir.resolve("newer.jsonl").toString()));
            assertEquals(9L, us.getFound());

            CommsHubOtaException.Io io = assertThrows(CommsHubOtaException.Io.class,
                () -> Engine.replayLog(dir.resolve("missing/log.jsonl").toString()));
            assertTrue(io.getPath().contains("missing"));

            assertThrows(CommsHubOtaException.CorruptSnapshot.class, () -> Engine.fromSnapshot(new byte[] {1, 2, 3}));

            try (Engine signed = Engine.withTrust("test-log", KeyPair.generate().publicKey())) {
                CommsHubOtaException.BadSignature bs = assertThrows(CommsHubOtaException.BadSignature.class,
                    () -> signed.execute(Actor.dcc(), T1, campaign("C2")));
                assertEquals("dcc", bs.getActor());
            }

            // A rule whose condition names an unknown attribute: where and why.
            RuleSpec bad = new RuleSpec("r", RuleTrigger.CampaignCreated.INSTANCE, "esme.firmwar == version(\"2\")", RuleAction.Approve.INSTANCE);
            CommsHubOtaException.InvalidCondition ic = assertThrows(CommsHubOtaException.InvalidCondition.class,
                () -> e.execute(supA, T2, new Command.SaveRule(new SaveRule(bad))));
            assertEquals(1, ic.getLine());
            assertEquals(6, ic.getColumn());
            assertEquals(ErrorKind.INVALID_CONDITION, ic.getKind());

            // Nothing refused changed anything: C1 is still the only campaign, still in Draft.
            Answer.Campaigns all = (Answer.Campaigns) e.query(Actor.dcc(), Query.Campaigns.INSTANCE);
            assertEquals(1, all.getV1().size());
            assertEquals(Phase.DRAFT, all.getV1().get(0).getPhase());
        }
    }

    /** How many rows an Arrow IPC stream holds, read with Arrow Java. */
    private static long arrowRows(byte[] ipc) {
        try (org.apache.arrow.memory.RootAllocator allocator = new org.apache.arrow.memory.RootAllocator();
             org.apache.arrow.vector.ipc.ArrowStreamReader reader =
                 new org.apache.arrow.vector.ipc.ArrowStreamReader(new java.io.ByteArrayInputStream(ipc), allocator)) {
            long rows = 0;
            while (reader.loadNextBatch()) {
                rows += reader.getVectorSchemaRoot().getRowCount();
            }
            return rows;
        } catch (IOException err) {
            throw new AssertionError(err);
        }
    }

    @Test
    void theDeployedProductsListOfADayFromJava() {
        try (Engine e = world()) {
            LocalDate day = LocalDate.parse("2026-06-01");
            List<DplEntry> industry = ((Answer.Dpl) e.query(Actor.dcc(), new Query.Dpl(null, day))).getV1();
            long total = industry.stream().mapToLong(DplEntry::getHubs).sum();
            assertEquals(e.hubCount(), total);
            assertEquals(industry.get(0).getConfigurationSet().label(), industry.get(0).getLabel());
            List<DplDay> days = ((Answer.DplHistory) e.query(Actor.dcc(), new Query.DplHistory(null, day.minusDays(1), day))).getV1();
            assertEquals(2, days.size());
            assertThrows(CommsHubOtaException.NotPermitted.class,
                () -> e.query(Actor.customer("SUP-A"), new Query.Dpl(null, day)));
            // The industry's shares: at this size (a handful of hubs) every one is withheld.
            List<SharesDay> shares = ((Answer.IndustryShares) e.query(Actor.customer("SUP-A"),
                new Query.IndustryShares(day.minusDays(1), day))).getV1();
            assertEquals(2, shares.size());
            assertTrue(shares.stream().allMatch(d -> d.getVariants().isEmpty()));
            assertThrows(CommsHubOtaException.InvalidInput.class,
                () -> e.query(Actor.customer("SUP-A"), new Query.IndustryShares(day, day.minusDays(1))));
            // As Arrow: a row per day and set.
            assertEquals(industry.size(), arrowRows(e.queryArrow(Actor.dcc(), new ColumnarQuery.DplHistory(null, day, day))));
        }
    }

    /** docs/rules.md's two rules in Java, as written there (RulesTest checks they are). */
    static DryRun docsTwoRules(Engine engine, Actor supplier, Instant at) {
        RuleSpec happy = new RuleSpec("happy sets", RuleTrigger.CampaignCreated.INSTANCE,
            "esme.model == \"EM-B2\" && version(\"4.0\") <= esme.firmware", RuleAction.Approve.INSTANCE);
        RuleSpec settle = new RuleSpec("settle in", RuleTrigger.HubCommissioned.INSTANCE, "",
            new RuleAction.Hold("let it settle", 30, HoldFrom.COMMISSION), 0, null, null, true);
        DryRun dry = ((Answer.DryRun) engine.query(supplier, new Query.DryRunRule(happy, at))).getV1();
        engine.execute(supplier, at, new Command.SaveRule(new SaveRule(happy)));
        engine.execute(supplier, at, new Command.SaveRule(new SaveRule(settle)));
        return dry;
    }

    @Test
    void docsRulesMdJavaBlockRuns() {
        try (Engine e = world()) {
            Actor supA = Actor.customer("SUP-A");
            DryRun dry = docsTwoRules(e, supA, T2);
            assertEquals(1, dry.getVersion());
            List<RuleView> mine = ((Answer.Rules) e.query(supA, Query.Rules.INSTANCE)).getV1();
            assertEquals(List.of("happy sets", "settle in"),
                mine.stream().map(r -> r.getSpec().getName()).collect(Collectors.toList()));
        }
    }

    /** The `hub` column of an Arrow IPC stream, each cell as Arrow Java reads it. */
    private static List<Object> arrowHubs(byte[] ipc) {
        try (org.apache.arrow.memory.RootAllocator allocator = new org.apache.arrow.memory.RootAllocator();
             org.apache.arrow.vector.ipc.ArrowStreamReader reader =
                 new org.apache.arrow.vector.ipc.ArrowStreamReader(new java.io.ByteArrayInputStream(ipc), allocator)) {
            List<Object> hubs = new ArrayList<>();
            while (reader.loadNextBatch()) {
                org.apache.arrow.vector.FieldVector v = reader.getVectorSchemaRoot().getVector("hub");
                for (int i = 0; i < v.getValueCount(); i++) {
                    Object cell = v.getObject(i);
                    hubs.add(cell instanceof org.apache.arrow.vector.util.Text ? cell.toString() : cell);
                }
            }
            return hubs;
        } catch (IOException err) {
            throw new AssertionError(err);
        }
    }

    @Test
    void hubIdsAreLongsInArrowAndTheirTextIsOneCallAwayFromJava() {
        try (Engine e = world()) {
            Actor supA = Actor.customer("SUP-A");
            RuleSpec hold = new RuleSpec("hold new hubs", RuleTrigger.HubCommissioned.INSTANCE,
                "esme.model == \"EM-A1\"", new RuleAction.Hold("let it settle", 30, HoldFrom.COMMISSION));
            List<Object> numbers = arrowHubs(e.queryArrow(supA, new ColumnarQuery.DryRunRule(hold, T2)));
            List<Object> texts = arrowHubs(e.queryArrow(supA, new ColumnarQuery.DryRunRule(hold, T2), true));
            assertFalse(numbers.isEmpty());
            assertTrue(numbers.stream().allMatch(n -> n instanceof Long), numbers.toString());
            assertEquals(texts, numbers.stream().map(n -> CommsHubOta.hubText((Long) n)).collect(Collectors.toList()));
            assertEquals(numbers.get(0), CommsHubOta.hubNumber(((String) texts.get(0)).toLowerCase()));
            assertThrows(CommsHubOtaException.InvalidId.class, () -> CommsHubOta.hubNumber("not-a-hub"));
        }
    }

    @Test
    void aRuleIsSavedListedDryRunAndRetiredFromJava() {
        try (Engine e = world()) {
            Actor supA = Actor.customer("SUP-A");
            // The optional fields (priority, active window, notify) left out: @JvmOverloads.
            RuleSpec hold = new RuleSpec("hold new hubs", RuleTrigger.HubCommissioned.INSTANCE,
                "esme.model == \"EM-A1\"", new RuleAction.Hold("let it settle", 30, HoldFrom.COMMISSION));
            DryRun dry = ((Answer.DryRun) e.query(supA, new Query.DryRunRule(hold, T2))).getV1();
            assertEquals(1, dry.getVersion());
            // The same dry run as Arrow: a row per hub it would act on.
            long reached = dry.getCounts().stream().mapToLong(c -> c.getHubs() + c.getHubsInSets()).sum();
            assertTrue(reached > 0, dry.toString());
            assertEquals(reached, arrowRows(e.queryArrow(supA, new ColumnarQuery.DryRunRule(hold, T2))));
            e.execute(supA, T2, new Command.SaveRule(new SaveRule(hold)));
            List<RuleView> mine = ((Answer.Rules) e.query(supA, Query.Rules.INSTANCE)).getV1();
            assertEquals("hold new hubs", mine.get(0).getSpec().getName());
            assertTrue(((Answer.Rules) e.query(Actor.customer("SUP-B"), Query.Rules.INSTANCE)).getV1().isEmpty());
            e.execute(supA, T2, new Command.RetireRule(new RetireRule("hold new hubs")));
            assertEquals(T2, ((Answer.Rules) e.query(supA, Query.Rules.INSTANCE)).getV1().get(0).getRetiredAt());
            // A customer's rule on the industry's trends; the DCC is told of none, so may have none.
            RuleSpec trend = new RuleSpec("off old sets", RuleTrigger.IndustryTrend.INSTANCE, "",
                RuleAction.Prioritise.INSTANCE);
            e.execute(supA, T2, new Command.SaveRule(new SaveRule(trend)));
            assertThrows(CommsHubOtaException.NotPermitted.class,
                () -> e.execute(Actor.dcc(), T2, new Command.SaveRule(new SaveRule(trend))));
        }
    }

    @Test
    void theDccSendsANoticeFromJava() {
        try (Engine e = world()) {
            Actor supA = Actor.customer("SUP-A");
            e.execute(Actor.dcc(), T2, new Command.SendNotice(new SendNotice(
                new NoticeAudience.Named(List.of("SUP-A")), "Maintenance", "Saturday night.")));
            List<Notification> mine = ((Answer.Notifications) e.query(supA, new Query.Notifications(100L)))
                .getV1().getNotifications();
            NotificationKind.PartyNotice n = (NotificationKind.PartyNotice) mine.get(mine.size() - 1).getKind();
            assertEquals("Maintenance", n.getTitle());
            assertEquals("dcc", n.getSender());
            assertThrows(CommsHubOtaException.NotPermitted.class, () -> e.execute(supA, T2, new Command.SendNotice(
                new SendNotice(new NoticeAudience.Named(List.of("SUP-A")), "s", "t"))));
        }
    }

    @Test
    void customersGiveTestingFeedbackAndTheDccClosesTheGateFromJava() {
        try (Engine e = world()) {
            Actor csp = Actor.csp(Region.NORTH);
            e.execute(csp, T1, new Command.RegisterFirmware(new RegisterFirmware("CH-N-DB", "3.0", List.of("2.0"))));
            e.execute(csp, T1, new Command.RecordGate(new RecordGate("CH-N-DB", "3.0", Gate.CSP_APPROVED)));
            e.execute(Actor.dcc(), T1, new Command.RecordGate(new RecordGate("CH-N-DB", "3.0", Gate.DCC_TEST_APPROVED)));
            e.execute(Actor.customer("SUP-A"), T2, new Command.RecordTestFeedback(
                new RecordTestFeedback("CH-N-DB", "3.0", TestResult.ISSUES_FOUND, "IHD drops pairing")));
            // SUP-C supplies only the south: refused.
            assertThrows(CommsHubOtaException.NotPermitted.class, () -> e.execute(Actor.customer("SUP-C"), T2,
                new Command.RecordTestFeedback(new RecordTestFeedback("CH-N-DB", "3.0", TestResult.PASSED, "fine"))));
            // Over SUP-A's issues the DCC closes only with its reason.
            CommsHubOtaException.InvalidInput over = assertThrows(CommsHubOtaException.InvalidInput.class,
                () -> e.execute(Actor.dcc(), T2, new Command.RecordGate(new RecordGate("CH-N-DB", "3.0", Gate.CUSTOMER_TESTED))));
            assertEquals("note", over.getField());
            e.execute(Actor.dcc(), T2, new Command.RecordGate(new RecordGate("CH-N-DB", "3.0", Gate.CUSTOMER_TESTED, "the IHD's fault")));
            List<FirmwareView> versions = ((Answer.FirmwareVersions) e.query(Actor.dcc(), new Query.FirmwareVersions("CH-N-DB"))).getV1();
            TestFeedbackView given = versions.get(3).getTestFeedback().get(0);
            assertEquals("SUP-A", given.getCustomer());
            assertEquals(TestResult.ISSUES_FOUND, given.getResult());
            assertTrue(given.getCurrent());
        }
    }

    @Test
    void theCspPacesAndPausesItsPilotAndTheDccChangesThePolicyFromJava() {
        try (Engine e = world()) {
            Actor csp = Actor.csp(Region.NORTH);
            e.execute(Actor.dcc(), T1, new Command.ChangeCampaignPolicy(new ChangeCampaignPolicy(
                "C1", new CampaignPolicy(null, 0, 5), "winter load")));
            e.execute(csp, T1, new Command.SetPilotPacing(new SetPilotPacing("C1", new PilotPacing(20, new DispatchWindow(10, 16)))));
            e.execute(Actor.dcc(), T2, new Command.GrantPilotOa(new GrantPilotOa("C1")));
            e.execute(csp, T2, new Command.HaltUpgrades(new HaltUpgrades("C1", null, "maintenance")));
            CampaignView c = ((Answer.Campaign) e.query(Actor.customer("SUP-A"), new Query.Campaign("C1"))).getV1();
            assertEquals(5, c.getPolicy().getMaxAttempts());
            assertEquals(Integer.valueOf(20), c.getPilotPacing().getDailyCap());
            assertInstanceOf(CampaignChange.DispatchesPaused.class, c.getHistory().get(c.getHistory().size() - 1).getChange());
            assertThrows(CommsHubOtaException.NotPermitted.class, () -> e.execute(csp, T2,
                new Command.ChangeCampaignPolicy(new ChangeCampaignPolicy("C1", new CampaignPolicy(), "x"))));
        }
    }

    @Test
    void anotherWriterOfTheSameStoreIsAConflict(@TempDir Path dir) {
        String store = dir.resolve("ota.db").toString();
        try (Engine first = Engine.open(store); Engine second = Engine.open(store)) {
            first.execute(Actor.dcc(), T1, new Command.RegisterVariant(new RegisterVariant(
                new Variant("CH-N-DB", "Acme", "CH2", "B", HanBand.DUAL_BAND, Region.NORTH))));
            CommsHubOtaException.Conflict c = assertThrows(CommsHubOtaException.Conflict.class,
                () -> second.execute(Actor.dcc(), T1, new Command.RegisterVariant(new RegisterVariant(
                    new Variant("CH-S-SB", "Acme", "CH2", "B", HanBand.SINGLE_BAND, Region.SOUTH)))));
            assertEquals(ErrorKind.CONFLICT, c.getKind());
            // The refused writer caught up: the same command now goes through.
            second.execute(Actor.dcc(), T1, new Command.RegisterVariant(new RegisterVariant(
                new Variant("CH-S-SB", "Acme", "CH2", "B", HanBand.SINGLE_BAND, Region.SOUTH))));
            assertEquals(2L, second.lastSeq());
        }
    }

    @Test
    void aPanicIsAnExceptionAndTheJvmGoesOn() {
        CommsHubOtaException.Panic p = assertThrows(CommsHubOtaException.Panic.class, () -> CommsHubOta.panicForTesting("deliberate"));
        assertNull(p.getKind());
        assertTrue(p.getMessage().contains("deliberate"), p.getMessage());
        try (Engine e = world()) {
            assertEquals(4L, e.hubCount());
        }
    }

    @Test
    void streamsAndLambdasNeedNoWrapping() {
        try (Engine e = world()) {
            // A refusal inside a stream is an ordinary unchecked exception.
            List<String> found = Stream.of("C1", "C404")
                .map(c -> {
                    try {
                        return ((Answer.Campaign) e.query(Actor.dcc(), new Query.Campaign(c))).getV1().getId();
                    } catch (CommsHubOtaException.NotFound missing) {
                        return "missing " + missing.getId();
                    }
                })
                .collect(Collectors.toList());
            assertEquals(List.of("C1", "missing C404"), found);
            Runnable refused = () -> e.execute(Actor.csp(Region.NORTH), T2, campaign("C3"));
            assertThrows(CommsHubOtaException.NotPermitted.class, refused::run);
        }
    }

    @Test
    void actorsDatesAndRecordsAreJavaValues() {
        assertEquals("dcc", Actor.dcc().toString());
        assertEquals(Actor.parse("csp:north"), Actor.csp(Region.NORTH));
        assertEquals("customer:SUP-A", Actor.customer("SUP-A").getCode());
        try (Engine e = world()) {
            // A typed actor and its text are the same caller.
            Answer byType = e.query(Actor.customer("SUP-A"), new Query.Hub(HUB_2));
            Answer byText = e.query("customer:SUP-A", new Query.Hub(HUB_2));
            assertEquals(byType, byText);
            HubView hub = ((Answer.Hub) byType).getV1();
            assertInstanceOf(LocalDate.class, hub.getInstalledOn());
            // Records print their fields; variants without any print their name.
            assertTrue(hub.toString().startsWith("HubView("), hub.toString());
            assertTrue(hub.toString().contains("installedOn=" + hub.getInstalledOn()), hub.toString());
            assertEquals("OtherSupplier", Party.OtherSupplier.INSTANCE.toString());
            assertEquals("Campaigns", Query.Campaigns.INSTANCE.toString());
        }
        CampaignPolicy policy = new CampaignPolicy();
        assertEquals(3, policy.getMaxAttempts());
        assertEquals(policy, policy.copy(policy.getPilotCapPerCustomer(), policy.getMinAssessmentDays(), policy.getMaxAttempts(),
            policy.getReconciliationTimeoutHours(), policy.getCutoffNoticeDays(), policy.getInFlightTimeoutHours(),
            policy.getRetryDelayHours(), policy.getHalt(), policy.getPacing()));
    }

    /** Every public class of the jar: its records have no setters, and no member has a name Java cannot write. */
    @Test
    void everyPublicMemberIsCallableFromJavaAndRecordsAreImmutable() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Engine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> mangled = new ArrayList<>();
        List<String> setters = new ArrayList<>();
        int records = 0;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList());
        }
        for (Path file : files) {
            String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
            Class<?> type = Class.forName(name, false, getClass().getClassLoader());
            // UniFFI's plumbing (FfiConverter*, RustBuffer, Uniffi*) is public in the bytecode but
            // documented as internal (@suppress): no user calls it.
            String simple = name.substring(name.lastIndexOf('.') + 1);
            if (!Modifier.isPublic(type.getModifiers()) || simple.startsWith("FfiConverter")
                    || simple.startsWith("RustBuffer") || simple.startsWith("Uniffi")) {
                continue;
            }
            boolean record = false;
            List<String> set = new ArrayList<>();
            for (Method m : type.getDeclaredMethods()) {
                // Kotlin `internal` members are public in the bytecode with a `$module` suffix.
                if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic() || m.getName().contains("$")) {
                    continue;
                }
                if (m.getName().contains("-")) {
                    mangled.add(name + "." + m.getName());
                }
                record |= m.getName().equals("component1");
                if (m.getName().startsWith("set") && m.getParameterCount() == 1) {
                    set.add(name + "." + m.getName());
                }
            }
            if (record) {
                records++;
                setters.addAll(set);
            }
        }
        assertTrue(records > 100, "records found: " + records);
        assertEquals(List.of(), mangled, "members Java cannot call (a Kotlin unsigned type at the boundary)");
        assertEquals(List.of(), setters, "setters on records");
    }

    @Test
    void theNativeLibraryComesFromTheJar() {
        assertNull(System.getProperty("jna.library.path"), "no system property is needed");
        assertTrue(Engine.class.getResource("/linux-x86-64/libcommshub_ota_kotlin.so") != null);
        assertFalse(CommsHubOta.parseId("hub_id", "0000000000000002").isEmpty());
    }
}

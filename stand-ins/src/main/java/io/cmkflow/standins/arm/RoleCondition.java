package io.cmkflow.standins.arm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Azure ABAC condition on a role assignment (condition version 2.0), in the form Microsoft documents for delegating
 * role assignment management: clauses {@code ((!(ActionMatches{'<action>'})) OR (<expression>))} joined by AND, where
 * an expression is attribute tests joined by AND, each
 * {@code @Request|@Resource[Microsoft.Authorization/roleAssignments:<attribute>] ForAnyOfAnyValues:GuidEquals|StringEqualsIgnoreCase {values}}.
 * A clause whose action is not the one checked holds; otherwise its expression must. Anything else in a condition is
 * refused when the assignment is made, as Azure refuses a condition it cannot parse. Source:
 * https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples
 */
final class RoleCondition {
    private static final Pattern CLAUSE = Pattern.compile(
            "\\(\\s*\\(\\s*!\\s*\\(\\s*ActionMatches\\s*\\{\\s*'([^']+)'\\s*}\\s*\\)\\s*\\)\\s*OR\\s*\\((.*?)\\)\\s*\\)",
            Pattern.DOTALL);
    private static final Pattern TEST = Pattern.compile(
            "@(Request|Resource)\\[Microsoft\\.Authorization/roleAssignments:(\\w+)]\\s*ForAnyOfAnyValues:(GuidEquals|StringEqualsIgnoreCase)\\s*\\{([^}]*)}",
            Pattern.CASE_INSENSITIVE);

    private record Test(String source, String attribute, List<String> values) {
    }

    private record Clause(String action, List<Test> tests) {
    }

    private final List<Clause> clauses;

    private RoleCondition(List<Clause> clauses) {
        this.clauses = clauses;
    }

    /** Parses {@code condition}; throws ARM's 400 {@code InvalidConditionExpression} for a form it does not know. */
    static RoleCondition parse(String condition) {
        List<Clause> clauses = new ArrayList<>();
        Matcher clause = CLAUSE.matcher(condition);
        StringBuilder rest = new StringBuilder();
        int end = 0;
        while (clause.find()) {
            rest.append(condition, end, clause.start());
            end = clause.end();
            List<Test> tests = new ArrayList<>();
            for (String part : clause.group(2).split("(?i)\\s+AND\\s+")) {
                Matcher test = TEST.matcher(part.trim());
                if (!test.matches()) {
                    throw invalid(condition);
                }
                tests.add(new Test(test.group(1).toLowerCase(Locale.ROOT), test.group(2).toLowerCase(Locale.ROOT),
                        Arrays.stream(test.group(4).split(",")).map(v -> v.trim().replace("'", "").toLowerCase(Locale.ROOT))
                                .filter(v -> !v.isEmpty()).toList()));
            }
            clauses.add(new Clause(clause.group(1), tests));
        }
        rest.append(condition.substring(end));
        if (clauses.isEmpty() || !rest.toString().replaceAll("(?i)\\bAND\\b", "").isBlank()) {
            throw invalid(condition);
        }
        return new RoleCondition(clauses);
    }

    /**
     * Whether the condition lets {@code action} through, given the attributes of the request ({@code @Request}: the
     * assignment being written) and of the resource ({@code @Resource}: the assignment being deleted), by lower-case
     * attribute name.
     */
    boolean allows(String action, Map<String, String> request, Map<String, String> resource) {
        for (Clause clause : clauses) {
            if (!RoleDefinition.matches(clause.action(), action)) {
                continue;
            }
            for (Test test : clause.tests()) {
                String value = ("request".equals(test.source()) ? request : resource).get(test.attribute());
                if (value == null || !test.values().contains(value.toLowerCase(Locale.ROOT))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static ArmError invalid(String condition) {
        return ArmError.badRequest("InvalidConditionExpression", "The condition expression '" + condition
                + "' is not supported by this simulator (it knows Microsoft's role-assignment delegation form).");
    }
}

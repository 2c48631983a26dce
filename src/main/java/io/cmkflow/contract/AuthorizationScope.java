package io.cmkflow.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where cmkflow may act: per cloud, the tenants, subscriptions and resource groups (glob patterns such as {@code
 * rg-ml-*}) its operators allow. Anyone who can send to the request queue chooses the tenant cmkflow signs in to and
 * every id it touches, so each one (the target group, an existing vault, storage account, Application Insights,
 * user-assigned identity) must fall inside a grant; the intake and every Azure activity check it. Written as entries
 * {@code cloud/tenant/subscription/resourceGroupPattern} ({@code subscription} may be {@code *}); the single entry
 * {@code *} allows everything and is for dev mode only.
 */
public final class AuthorizationScope {

    /** The entry that allows everything (dev mode). */
    public static final String EVERYTHING = "*";

    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern GROUP_PATTERN = Pattern.compile("[-\\w.()*]{1,90}", Pattern.UNICODE_CHARACTER_CLASS);

    /** One entry: a cloud, a tenant, a subscription (or any of the tenant's) and the groups allowed in it. */
    public record Grant(String cloud, String tenantId, String subscriptionId, String resourceGroupPattern) {
        boolean coversTenant(String cloud, String tenant) {
            return this.cloud.equals(cloud) && tenantId.equalsIgnoreCase(tenant);
        }

        boolean coversSubscription(String subscription) {
            return EVERYTHING.equals(subscriptionId) || subscriptionId.equalsIgnoreCase(subscription);
        }

        boolean coversGroup(String group) {
            return glob(resourceGroupPattern).matcher(group).matches();
        }

        @Override
        public String toString() {
            return cloud + "/" + tenantId + "/" + subscriptionId + "/" + resourceGroupPattern;
        }
    }

    private final List<Grant> grants;
    private final boolean everything;

    private AuthorizationScope(List<Grant> grants, boolean everything) {
        this.grants = List.copyOf(grants);
        this.everything = everything;
    }

    public static AuthorizationScope everything() {
        return new AuthorizationScope(List.of(), true);
    }

    /**
     * The scope the entries configure; blank entries are skipped, none at all allows nothing. Throws {@link
     * IllegalArgumentException} naming an entry that is not {@code cloud/tenant/subscription/group-pattern}.
     */
    public static AuthorizationScope of(List<String> entries) {
        List<String> given = entries == null ? List.of()
                : entries.stream().map(String::trim).filter(e -> !e.isEmpty()).toList();
        if (given.contains(EVERYTHING)) {
            if (given.size() > 1) {
                throw new IllegalArgumentException("'" + EVERYTHING + "' allows everything and cannot be combined with other entries");
            }
            return everything();
        }
        List<Grant> grants = new ArrayList<>();
        for (String entry : given) {
            grants.add(grant(entry));
        }
        return new AuthorizationScope(grants, false);
    }

    private static Grant grant(String entry) {
        String[] p = entry.split("/", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("'" + entry + "' is not cloud/tenant/subscription/resource-group-pattern");
        }
        if (!CmkRequest.AZURE_CLOUD.equals(p[0]) && !CmkRequest.AZURE_US_GOVERNMENT.equals(p[0])) {
            throw new IllegalArgumentException("'" + entry + "': cloud must be AzureCloud or AzureUSGovernment");
        }
        if (!GUID.matcher(p[1]).matches()) {
            throw new IllegalArgumentException("'" + entry + "': tenant must be a GUID");
        }
        if (!EVERYTHING.equals(p[2]) && !GUID.matcher(p[2]).matches()) {
            throw new IllegalArgumentException("'" + entry + "': subscription must be a GUID or *");
        }
        if (!GROUP_PATTERN.matcher(p[3]).matches()) {
            throw new IllegalArgumentException("'" + entry + "': resource group pattern must be a group name, '*' standing for any characters");
        }
        return new Grant(p[0], p[1], p[2], p[3]);
    }

    public boolean allowsEverything() {
        return everything;
    }

    /** True when nothing is allowed: cmkflow serve refuses to start so. */
    public boolean isEmpty() {
        return !everything && grants.isEmpty();
    }

    public List<Grant> grants() {
        return grants;
    }

    /**
     * Throws {@link InvalidRequestException} (rule {@code scope.tenant}, {@code scope.subscription} or {@code
     * scope.resourceGroup}, naming the field) for the first tenant, subscription or resource group of the request
     * outside this scope. Expects a request {@link RequestRules#check(CmkRequest)} accepted (its ids parse).
     */
    public void check(CmkRequest request) {
        if (everything) {
            return;
        }
        String cloud = request.cloud() == null ? CmkRequest.AZURE_CLOUD : request.cloud();
        List<Grant> tenant = grants.stream().filter(g -> g.coversTenant(cloud, request.tenantId())).toList();
        require(!tenant.isEmpty(), "tenantId", "scope.tenant",
                "tenant " + request.tenantId() + " in " + cloud + " is outside cmkflow's authorization scope");
        inScope(tenant, "subscriptionId", "resourceGroup", request.subscriptionId(), request.resourceGroup());
        CmkRequest.Workspace ws = request.workspace();
        inScope(tenant, "keyVault.existingId", request.keyVault().existingId());
        inScope(tenant, "workspace.storageAccountId", ws.storageAccountId());
        inScope(tenant, "workspace.applicationInsightsId", ws.applicationInsightsId());
        inScope(tenant, "workspace.userAssignedIdentityId", ws.userAssignedIdentityId());
    }

    private static void inScope(List<Grant> tenant, String field, String resourceId) {
        if (resourceId != null) {
            ArmResourceId id = ArmResourceId.parse(resourceId).orElseThrow(() ->
                    new InvalidRequestException(field, "resourceId.format", "must be a resource id"));
            inScope(tenant, field, field, id.subscriptionId(), id.resourceGroup());
        }
    }

    private static void inScope(List<Grant> tenant, String subscriptionField, String groupField, String subscription,
                                String group) {
        List<Grant> inSubscription = tenant.stream().filter(g -> g.coversSubscription(subscription)).toList();
        require(!inSubscription.isEmpty(), subscriptionField, "scope.subscription",
                "subscription " + subscription + " is outside cmkflow's authorization scope");
        require(inSubscription.stream().anyMatch(g -> g.coversGroup(group)), groupField, "scope.resourceGroup",
                "resource group " + group + " in subscription " + subscription + " is outside cmkflow's authorization scope");
    }

    /** A group pattern as a regex: '*' any characters, the rest literal; ARM compares group names without case. */
    private static Pattern glob(String pattern) {
        String regex = Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    private static void require(boolean ok, String field, String rule, String message) {
        if (!ok) {
            throw new InvalidRequestException(field, rule, message);
        }
    }

    @Override
    public String toString() {
        return everything ? "everything" : grants.toString();
    }
}

package io.cmkflow.contract;


import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The rules a request must meet before any Azure call: ids, Azure naming rules, key strength, retention, the
 * vault's subscription and the cloud. Every step calls {@link #check(CmkRequest)} first, so a bad request never
 * reaches ARM; the request validator calls it too. Independent of the Azure SDK.
 */
public final class RequestRules {

    public static final Set<Integer> KEY_SIZES = Set.of(3072, 4096);
    public static final int MIN_KEY_SIZE = 3072;
    public static final int DEFAULT_KEY_SIZE = 3072;
    public static final int DEFAULT_RETENTION_DAYS = 90;
    public static final String KEY_TYPE_RSA = "RSA";
    public static final String KEY_TYPE_RSA_HSM = "RSA-HSM";
    /** Key Vault's least expiry in a rotation policy; the most is cmkflow's (100 years), to keep arithmetic in range. */
    public static final int MIN_KEY_EXPIRY_DAYS = 28;
    public static final int MAX_KEY_EXPIRY_DAYS = 36500;
    /** Key Vault rotates a key at least 7 days after a version is made and at least 7 days before it expires. */
    public static final int MIN_ROTATION_MARGIN_DAYS = 7;
    public static final String SKU_STANDARD = "standard";
    public static final String SKU_PREMIUM = "premium";

    private static final Pattern GUID = Pattern.compile(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    // Key Vault: 3-24, letters, digits and hyphens, starts with a letter, ends with a letter or digit.
    private static final Pattern VAULT_NAME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$");
    // Machine Learning workspace: 3-33, starts with a letter or digit, then letters, digits, hyphens, underscores.
    private static final Pattern WORKSPACE_NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$");
    private static final Pattern KEY_NAME = Pattern.compile("^[a-zA-Z0-9-]{1,127}$");
    // Resource group: 1-90, word characters, hyphens, periods, parentheses; must not end with a period.
    private static final Pattern RESOURCE_GROUP = Pattern.compile("^[-\\w.()]{0,89}[-\\w()]$", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern LOCATION = Pattern.compile("^[a-zA-Z][a-zA-Z0-9 ]{1,39}$");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    // Azure's tag names: no '<', '>', '%', '&', '\\', '?', '/' (nor control characters, which no client can show).
    private static final Pattern TAG_NAME_FORBIDDEN = Pattern.compile("[<>%&\\\\?/\\p{Cntrl}]");
    /** Request tags at most: a Key Vault key carries 15 tags, and cmkflow adds its {@link Ownership} tags to each resource. */
    public static final int MAX_REQUEST_TAGS = 12;
    /** Tag names at most: storage accounts allow 128 characters (other resources 512), and every resource gets the same tags. */
    public static final int MAX_TAG_NAME_LENGTH = 128;
    public static final int MAX_TAG_VALUE_LENGTH = 256;

    private RequestRules() {
    }

    /**
     * Throws {@link InvalidRequestException} for the first rule the request breaks, then for the first of its
     * tenant, subscriptions and resource groups outside {@code scope}: what the intake and every Azure step check.
     */
    public static void check(CmkRequest request, AuthorizationScope scope) {
        check(request);
        scope.check(request);
    }

    /** Throws {@link InvalidRequestException} for the first rule the request breaks (the scope aside). */
    public static void check(CmkRequest request) {
        require(request != null, "request", "request.required", "is required");
        require(Operation.find(request.operation()).isPresent(), "operation", "operation.enum",
                "must be create, rotateKey, repairKeyAccess or decommission, was '" + printable(String.valueOf(request.operation())) + "'");
        require(notBlank(request.requestId()), "requestId", "requestId.required", "is required");
        require(isRequestId(request.requestId()), "requestId", "requestId.pattern",
                "must be 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit (no control characters)");
        checkGuid("subscriptionId", request.subscriptionId());
        checkGuid("tenantId", request.tenantId());
        require(request.cloud() == null || CmkRequest.AZURE_CLOUD.equals(request.cloud())
                        || CmkRequest.AZURE_US_GOVERNMENT.equals(request.cloud()),
                "cloud", "cloud.enum", "must be AzureCloud or AzureUSGovernment, was '" + request.cloud() + "'");
        require(notBlank(request.resourceGroup()) && RESOURCE_GROUP.matcher(request.resourceGroup()).matches(),
                "resourceGroup", "resourceGroup.name",
                "must be 1-90 letters, digits, '_', '-', '.', '(' or ')' and not end with '.'");
        require(notBlank(request.location()) && LOCATION.matcher(request.location()).matches(),
                "location", "location.name", "must be an Azure region name such as 'eastus'");
        checkWorkspace(request);
        checkKeyVault(request);
        checkKey(request);
        checkTags(request.tagsOrEmpty());
        checkDecommission(request);
    }

    /** A decommission cannot be taken back once Azure accepts the delete: the request repeats the workspace's name. */
    private static void checkDecommission(CmkRequest request) {
        boolean decommission = request.operationOrDefault() == Operation.DECOMMISSION;
        require(decommission || request.decommission() == null, "decommission", "decommission.operation",
                "is only for \"operation\": \"decommission\"");
        if (decommission) {
            CmkRequest.Decommission settings = request.decommission();
            require(settings != null && request.workspace().name().equals(settings.confirm()), "decommission.confirm",
                    "decommission.confirm", "must repeat the workspace's name '" + request.workspace().name()
                            + "': the workspace is deleted" + (settings != null && settings.purgeWorkspace() ? " and purged" : "")
                            + (settings != null && settings.deleteCreated() ? ", with what its create made for it," : "")
                            + " and this cannot be taken back once Azure accepts the delete");
        }
    }

    private static void checkTags(Map<String, String> tags) {
        require(tags.size() <= MAX_REQUEST_TAGS, "tags", "tags.count", "at most " + MAX_REQUEST_TAGS
                + " tags: a Key Vault key carries 15 and cmkflow adds its own " + Ownership.RESERVED_TAGS.size());
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            String name = tag.getKey();
            String field = "tags." + name;
            require(name != null && !name.isEmpty() && name.length() <= MAX_TAG_NAME_LENGTH, "tags", "tags.name",
                    "tag names must be 1-" + MAX_TAG_NAME_LENGTH + " characters");
            require(!TAG_NAME_FORBIDDEN.matcher(name).find(), "tags", "tags.name",
                    "tag name '" + printable(name) + "' must not contain '<', '>', '%', '&', '\\', '?', '/' or control characters");
            require(!Ownership.isReserved(name), "tags", "tags.reserved",
                    "tag name '" + name + "' is reserved for cmkflow's ownership tags (compared without case)");
            require(seen.add(name.toLowerCase(Locale.ROOT)), "tags", "tags.duplicate",
                    "tag name '" + name + "' is given twice (Azure compares tag names without case)");
            require(tag.getValue() != null && tag.getValue().length() <= MAX_TAG_VALUE_LENGTH, field, "tags.value",
                    "tag values must be at most " + MAX_TAG_VALUE_LENGTH + " characters");
        }
    }

    /**
     * {@code s} with control characters, line and paragraph separators and invisible format characters (zero-width,
     * bidirectional overrides) written as {@code \\uXXXX}: text from a request that goes into a log line or a message
     * cannot start a line of its own or hide what it says.
     */
    public static String printable(String s) {
        return s == null ? null : s.codePoints().mapToObj(c -> unprintable(c) ? String.format("\\u%04x", c) : Character.toString(c))
                .collect(Collectors.joining());
    }

    private static boolean unprintable(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** True when {@code requestId} meets the requestId rule (what correlates a request's status events). */
    public static boolean isRequestId(String requestId) {
        return requestId != null && REQUEST_ID.matcher(requestId).matches();
    }

    private static void checkWorkspace(CmkRequest request) {
        CmkRequest.Workspace ws = request.workspace();
        require(ws != null, "workspace", "workspace.required", "is required");
        require(notBlank(ws.name()) && WORKSPACE_NAME.matcher(ws.name()).matches(), "workspace.name",
                "workspace.name", "must be 3-33 letters, digits, '-' or '_', starting with a letter or digit");
        if (ws.storageAccountId() != null) {
            sameSubscriptionResource(request, "workspace.storageAccountId", ws.storageAccountId(),
                    ArmResourceId.Kind.STORAGE_ACCOUNT);
        }
        if (ws.applicationInsightsId() != null) {
            sameSubscriptionResource(request, "workspace.applicationInsightsId", ws.applicationInsightsId(),
                    ArmResourceId.Kind.APPLICATION_INSIGHTS);
        }
        if (ws.userAssignedIdentityId() != null) {
            // May live in another subscription: it is read in the one its own id names.
            ArmResourceId.parse("workspace.userAssignedIdentityId", ws.userAssignedIdentityId(),
                    ArmResourceId.Kind.USER_ASSIGNED_IDENTITY);
        }
        if (ws.userAssignedIdentityClientId() != null) {
            checkGuid("workspace.userAssignedIdentityClientId", ws.userAssignedIdentityClientId());
            require(ws.userAssignedIdentityId() != null, "workspace.userAssignedIdentityId", "identity.resourceId.required",
                    "is required when a user-assigned identity client id is given");
        }
    }

    private static void checkKeyVault(CmkRequest request) {
        CmkRequest.KeyVault kv = request.keyVault();
        require(kv != null, "keyVault", "keyVault.required", "is required");
        require((kv.name() == null) != (kv.existingId() == null), "keyVault", "keyVault.nameXorExistingId",
                "give exactly one of name (create) or existingId (adopt)");
        if (kv.name() != null) {
            require(VAULT_NAME.matcher(kv.name()).matches() && !kv.name().contains("--"), "keyVault.name",
                    "keyVault.name", "must be 3-24 letters, digits or single hyphens, start with a letter and end with a letter or digit");
        } else {
            ArmResourceId id = ArmResourceId.parse("keyVault.existingId", kv.existingId(), ArmResourceId.Kind.KEY_VAULT);
            require(id.subscriptionId().equalsIgnoreCase(request.subscriptionId()), "keyVault.existingId",
                    "keyVault.sameSubscription", "the vault must be in the workspace's subscription " + request.subscriptionId());
        }
        require(kv.sku() == null || SKU_STANDARD.equals(kv.sku().toLowerCase(Locale.ROOT))
                || SKU_PREMIUM.equals(kv.sku().toLowerCase(Locale.ROOT)), "keyVault.sku", "keyVault.sku.enum",
                "must be standard or premium");
        Integer retention = kv.softDeleteRetentionDays();
        require(retention == null || (retention >= 7 && retention <= 90), "keyVault.softDeleteRetentionDays",
                "keyVault.retention.range", "must be between 7 and 90 days, was " + retention);
    }

    private static void checkKey(CmkRequest request) {
        CmkRequest.Key key = request.key();
        require(key != null, "key", "key.required", "is required");
        require(notBlank(key.name()) && KEY_NAME.matcher(key.name()).matches(), "key.name", "key.name",
                "must be 1-127 letters, digits or hyphens");
        int size = keySize(request);
        require(size >= MIN_KEY_SIZE, "key.size", "key.size.minimum", "must be at least 3072 bits, was " + size);
        require(KEY_SIZES.contains(size), "key.size", "key.size.enum", "must be 3072 or 4096, was " + size);
        String type = keyType(request);
        require(KEY_TYPE_RSA.equals(type) || KEY_TYPE_RSA_HSM.equals(type), "key.type", "key.type.enum",
                "must be RSA or RSA-HSM, was " + type);
        require(!KEY_TYPE_RSA_HSM.equals(type) || SKU_PREMIUM.equals(vaultSku(request)), "key.type",
                "key.type.hsmNeedsPremium", "RSA-HSM keys need a premium key vault (keyVault.sku=premium)");
        if (key.rotationPolicy() != null) {
            checkRotationPolicy(key.rotationPolicy());
        }
    }

    /**
     * Key Vault's rules for a rotation policy (docs/azure-behaviour.md, "Key Vault"), checked here so that a policy
     * Key Vault would refuse never reaches it: versions expire at least 28 days after they are made; an automatic
     * rotation comes at least 7 days after creation and 7 days before expiry; a near-expiry event before expiry.
     */
    private static void checkRotationPolicy(CmkRequest.RotationPolicy policy) {
        Integer expires = policy.expiresAfterDays();
        require(expires != null, "key.rotationPolicy.expiresAfterDays", "key.rotationPolicy.expiresAfterDays.required",
                "is required: Key Vault's rotation and near-expiry triggers count back from the expiry");
        require(expires >= MIN_KEY_EXPIRY_DAYS && expires <= MAX_KEY_EXPIRY_DAYS, "key.rotationPolicy.expiresAfterDays",
                "key.rotationPolicy.expiresAfterDays.range", "must be between " + MIN_KEY_EXPIRY_DAYS + " and "
                        + MAX_KEY_EXPIRY_DAYS + " days (Key Vault's minimum is 28), was " + expires);
        Integer rotate = policy.rotateBeforeExpiryDays();
        require(rotate == null || (rotate >= MIN_ROTATION_MARGIN_DAYS && expires - rotate >= MIN_ROTATION_MARGIN_DAYS),
                "key.rotationPolicy.rotateBeforeExpiryDays", "key.rotationPolicy.rotationWindow",
                "must be at least " + MIN_ROTATION_MARGIN_DAYS + " days and leave at least " + MIN_ROTATION_MARGIN_DAYS
                        + " days after the version is made (at most " + (expires - MIN_ROTATION_MARGIN_DAYS) + "), was " + rotate);
        Integer notify = policy.notifyBeforeExpiryDays();
        require(notify == null || (notify >= 1 && notify < expires), "key.rotationPolicy.notifyBeforeExpiryDays",
                "key.rotationPolicy.notifyWindow", "must be at least 1 day and less than expiresAfterDays ("
                        + expires + "), was " + notify);
    }

    /** The key size the request asks for, 3072 when it does not say. */
    public static int keySize(CmkRequest request) {
        return request.key().size() == null ? DEFAULT_KEY_SIZE : request.key().size();
    }

    /** The key type the request asks for, RSA when it does not say. */
    public static String keyType(CmkRequest request) {
        return request.key().type() == null ? KEY_TYPE_RSA : request.key().type();
    }

    /** The vault SKU the request asks for (lower case), standard when it does not say. */
    public static String vaultSku(CmkRequest request) {
        String sku = request.keyVault().sku();
        return sku == null ? SKU_STANDARD : sku.toLowerCase(Locale.ROOT);
    }

    /** Soft-delete retention in days, 90 (Azure's default) when the request does not say. */
    public static int retentionDays(CmkRequest request) {
        Integer days = request.keyVault().softDeleteRetentionDays();
        return days == null ? DEFAULT_RETENTION_DAYS : days;
    }

    private static void sameSubscriptionResource(CmkRequest request, String field, String value, ArmResourceId.Kind kind) {
        ArmResourceId id = ArmResourceId.parse(field, value, kind);
        require(id.subscriptionId().equalsIgnoreCase(request.subscriptionId()), field, "resourceId.sameSubscription",
                "must be in the workspace's subscription " + request.subscriptionId());
    }

    private static void checkGuid(String field, String value) {
        require(value != null && GUID.matcher(value).matches(), field, field + ".guid",
                "must be a GUID, was '" + value + "'");
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static void require(boolean ok, String field, String rule, String message) {
        if (!ok) {
            throw new InvalidRequestException(field, rule, message);
        }
    }
}

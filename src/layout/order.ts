/**
 * Orders that the layout needs to be deterministic and familiar.
 *
 * spCompare: the order in which SolutionPackager meets the files of a folder (Windows enumeration:
 * names compared upper-cased, code unit by code unit; at each level the files of a folder come
 * before its sub-folders). Zips packed by SolutionPackager list components in this order (checked
 * against the repacked P2C and Education zips of the corpus), so dvsol packs the same way.
 *
 * SECTION_ORDER: the children of <ImportExportXml> in customizations.xml, from CustomizationsSolution.xsd,
 * with the sections real exports add (EntityImageConfigs, CanvasApps, Connectors, connectionreferences...)
 * placed where real exports put them.
 */

export function upperOrdinal(a: string, b: string): number {
  const A = a.toUpperCase();
  const B = b.toUpperCase();
  if (A < B) return -1;
  if (A > B) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function spCompare(a: string, b: string): number {
  const as = a.split("/");
  const bs = b.split("/");
  for (let i = 0; ; i++) {
    const aLast = i === as.length - 1;
    const bLast = i === bs.length - 1;
    if (aLast !== bLast) return aLast ? -1 : 1;
    const c = upperOrdinal(as[i]!, bs[i]!);
    if (c !== 0) return c;
    if (aLast) return 0;
  }
}

export const SECTION_ORDER: readonly string[] = [
  "Entities",
  "Roles",
  "Workflows",
  "FieldSecurityProfiles",
  "Templates",
  "RibbonDiffXml",
  "IsvConfig",
  "RelationshipRoles",
  "ConnectionRoles",
  "SiteMap",
  "EntityImageConfigs",
  "AttributeImageConfigs",
  "EntityMaps",
  "EntityRelationships",
  "OrganizationSettings",
  "optionsets",
  "Reports",
  "RoutingRules",
  "ChannelPropertyGroups",
  "ConvertRules",
  "MobileOfflineProfiles",
  "Slas",
  "ChannelAccessProfiles",
  "ChannelAccessProfileRules",
  "Dashboards",
  "InteractionCentricDashboards",
  "Dialogs",
  "WebResources",
  "CustomControls",
  "SolutionPluginAssemblies",
  "SdkMessageProcessingSteps",
  "ServiceEndpoints",
  "AppModuleSiteMaps",
  "AppModules",
  "EntityDataProviders",
  "EntityDataSources",
  "CanvasApps",
  "Connectors",
  "connectionreferences",
  "Languages",
  "GlobalSearchConfigurations",
  "StoredProcedures",
];

/** Child order of <Entity> (CustomizationsSolution.xsd, EntitiesType). */
export const ENTITY_CHILD_ORDER: readonly string[] = [
  "Name",
  "ObjectTypeCode",
  "EntityInfo",
  "FormXml",
  "SavedQueries",
  "Visualizations",
  "RibbonDiffXml",
  "Icons",
  "Strings",
  "HierarchyRules",
  "CustomControlDefaultConfigs",
  "indexes",
];

// Jedes deutsche Wort von License Desk: dieselben Schlüssel wie cards/messages/en.ts (Labels und die Texte
// der Fehlercodes der Domäne, aus ihren strukturierten Parametern).
import type { ErrorParam, NotAssignableWhy, RequestProblem } from '../../domain/errors';
import * as en from './en';
import { joined, type ErrorTexts, type Labels } from './en';

export const labels: Labels = {
  // Graph-Modus: wie aktuell die Daten sind, Lizenzen über Gruppen, Änderungen außerhalb von License Desk.
  readFromM365: (ago: string) => `Aus Microsoft 365 gelesen: ${ago}.`,
  justNow: 'gerade eben',
  minutesAgo: (n: number) => (n === 1 ? 'vor 1 Minute' : `vor ${n} Minuten`),
  hoursAgo: (n: number) => (n === 1 ? 'vor 1 Stunde' : `vor ${n} Stunden`),
  refresh: 'Aktualisieren',
  viaGroup: 'über Gruppe',
  changedOutside: (n: number, total: number) => `Bei ${n} von ${total} Benutzern wurden die Lizenzen seit dem Anzeigen dieser Karte in Microsoft 365 geändert (etwa im Admin Center). Die Prüfung unten nutzt den jetzigen Stand; dort Geändertes wird nicht rückgängig gemacht.`,
  connectionTitle: (customer: string) => `${customer} ist in Microsoft 365 nicht erreichbar`,
  connectionOthers: 'Ihre anderen Kunden sind davon nicht betroffen.',
  appName: 'License Desk',
  customersTitle: 'Kunden',
  customersIntro: 'Wählen Sie den Kunden, dessen Lizenzen Sie verwalten möchten.',
  noCustomers: 'Sie dürfen keinen Kunden verwalten. Bitten Sie einen Partner-Administrator, Sie in partner.json einzutragen.',
  pick: 'Öffnen',
  usersTitle: 'Lizenzen mehreren Benutzern zuweisen oder entziehen',
  customer: 'Kunde',
  changeCustomer: 'Kunden wechseln',
  search: 'Name, Benutzername oder Position',
  department: 'Abteilung',
  anyDepartment: 'Alle Abteilungen',
  license: 'Lizenz',
  anyLicense: 'Alle Lizenzen',
  unlicensed: 'Ohne Lizenz',
  applyFilter: 'Filter anwenden',
  clearFilter: 'Filter löschen',
  selectUsers: 'Benutzer auswählen',
  noUsers: 'Kein Benutzer passt zu diesem Filter.',
  first: 'Erste',
  previous: 'Zurück',
  next: 'Weiter',
  last: 'Letzte',
  pageOf: (page, pages, total) => `Seite ${page} von ${pages} · ${total} Benutzer`,
  selectedCount: (n) => `${n} ausgewählt`,
  selectAllOnPage: 'Alle auf dieser Seite auswählen',
  clearSelection: 'Auswahl aufheben',
  keepTicks: 'Auswahl übernehmen',
  selectedUsers: 'Ausgewählte Benutzer',
  manageLicenses: 'Lizenzen verwalten',
  drop: 'Entfernen',
  backToUsers: 'Zurück zu den Benutzern',
  noneSelected: 'Noch keine Benutzer ausgewählt. Haken Sie zuerst Benutzer in der Liste an.',
  unlicensedUser: 'Keine Lizenzen',
  disabledAccount: 'Anmeldung blockiert',
  noUsageLocation: 'kein Nutzungsstandort',
  availableLicenses: 'Verfügbare Lizenzen',
  assigned: 'Zugewiesen',
  holdAll: 'Alle ausgewählten Benutzer haben sie',
  holdSome: (n, of) => `${n} von ${of} ausgewählten Benutzern haben sie`,
  holdNone: 'Keiner der ausgewählten Benutzer hat sie',
  keepAsIs: 'Unverändert lassen',
  assignToAll: 'Allen zuweisen',
  removeFromAll: 'Allen entziehen',
  buyMore: 'Mehr kaufen',
  viewServicePlans: 'Servicepläne anzeigen',
  moreProducts: 'Weitere Produkte',
  previousProducts: 'Vorherige Produkte',
  productsPage: (from, to, total) => `Produkte ${from}–${to} von ${total}`,
  servicePlansTitle: (product) => `Servicepläne von ${product}`,
  servicePlansIntro: 'Entfernen Sie den Haken bei Serviceplänen, die für Benutzer mit diesem Produkt ausgeschaltet werden sollen.',
  done: 'Fertig',
  cancel: 'Abbrechen',
  save: 'Speichern',
  plansOff: (n) => `${n} Servicepläne aus`,
  notAssignable: (why) => `Nicht zuweisbar: ${why}`,
  selectionTooLarge: (max) => `Es können höchstens ${max} Benutzer gleichzeitig ausgewählt werden.`,
  andMore: (n) => `und ${n} weitere`,
  previewTitle: 'Vor dem Speichern prüfen',
  previewIntro: (fail, total) => `${fail} von ${total} Benutzern würden diese Änderung nicht erhalten:`,
  previewOk: (ok) => `${ok} Benutzer würden aktualisiert.`,
  saveAnyway: 'Trotzdem speichern',
  back: 'Zurück',
  savingTitle: 'Lizenzänderungen werden gespeichert…',
  savingProgress: (done, total) => `${done} von ${total} Benutzern verarbeitet`,
  savingStarted: (total) => `Änderungen für ${total} Benutzer werden gespeichert. Das Ergebnis folgt als neue Nachricht.`,
  resultTitle: 'Lizenzen aktualisiert',
  resultCounts: (ok, failed, same) => `${ok} aktualisiert · ${failed} fehlgeschlagen · ${same} unverändert`,
  failedHeading: 'Fehlgeschlagen',
  succeededHeading: 'Aktualisiert',
  unchangedHeading: 'Unverändert',
  assignedVerb: 'Zugewiesen',
  revokedVerb: 'Entzogen',
  updatedVerb: 'Servicepläne geändert',
  fixPrefix: 'Lösung:',
  retryFailed: 'Fehlgeschlagene wiederholen',
  retryStarted: 'Die fehlgeschlagenen Benutzer werden erneut versucht; das Ergebnis folgt als neue Nachricht.',
  resultPage: (page, pages) => `Ergebnisseite ${page} von ${pages}`,
  replayed: 'Diese Änderung war bereits gespeichert; es wurde nichts erneut geändert.',
  by: (who, when) => `Von ${who}, ${when}`,
  historyTitle: 'Letzte Lizenzänderungen',
  noHistory: 'Für diesen Kunden gibt es noch keine Lizenzänderungen.',
  historyLine: (ok, failed, users) => `${users} Benutzer: ${ok} aktualisiert, ${failed} fehlgeschlagen`,
  running: 'läuft',
  open: 'Öffnen',
  helpTitle: 'License Desk: was Sie sagen können',
  helpIntro: 'Textbefehle ändern nie selbst Lizenzen: Sie öffnen die Karte „Lizenzen verwalten“, und Speichern wendet an.',
  helpCommands: [
    ['kunden', 'Ihre Kunden; `kunde Contoso` wählt einen'],
    ['benutzer [Filter]', 'Benutzer durchblättern und auswählen'],
    ['ausgewählt', 'die ausgewählten Benutzer'],
    ['lizenzen', 'Lizenzen der ausgewählten Benutzer verwalten'],
    ['zuweisen Office 365 E3 an ausgewählte Benutzer', 'oder `an Rachel Kim, jordan.miller@contoso.onmicrosoft.com`'],
    ['entziehen Teams Phone von Jordan Miller', 'oder `von ausgewählten Benutzern`'],
    ['verlauf', 'letzte Änderungen beim Kunden'],
  ],
  showCustomers: 'Kunden anzeigen',
  pickCustomerFirst: 'Wählen Sie zuerst einen Kunden.',
  whichProduct: (q) => `Welches Produkt meinen Sie mit „${q}“?`,
  whichUser: (q) => `Welchen Benutzer meinen Sie mit „${q}“?`,
  whichCustomer: (q) => `Welchen Kunden meinen Sie mit „${q}“?`,
  unknownProduct: (q) => `Kein Produkt dieses Kunden passt zu „${q}“.`,
  unknownUser: (q) => `Kein Benutzer dieses Kunden passt zu „${q}“.`,
  unknownCustomer: (q) => `Keiner Ihrer Kunden passt zu „${q}“.`,
  didNotUnderstand: (t) => `„${t}“ habe ich nicht verstanden. Das kann ich:`,
  accessDenied: 'Nicht erlaubt',
  readerCannotSave: (who) => `${who} darf Lizenzen ansehen, aber nicht ändern (Rolle: reader). Wenden Sie sich an einen Lizenz-Administrator.`,
  outOfScope: (who, customer) => `${who} darf ${customer} nicht verwalten.`,
  notAnAdmin: (partner) => `Sie sind kein Administrator von ${partner}.`,
  badInput: 'Das hat nicht geklappt',
  unknownAction: (verb) => `Unbekannte Aktion „${verb}“.`,
  staleCard: 'Diese Karte ist veraltet. Hier ist der aktuelle Stand.',
  nothingToSave: 'Nichts zu speichern: kein Produkt wurde geändert.',
  stillRunning: 'Die Änderung wird noch gespeichert; das Ergebnis folgt.',
  somethingWrong: 'Bei uns ist etwas schiefgegangen; dieser Klick hat nichts geändert. Versuchen Sie es gleich noch einmal.',
  selectionFromCommand: (n) => `Auswahl aus Ihrem Befehl: ${n} Benutzer.`,
  checkingLarge: (n) => `${n} Benutzer werden vor dem Speichern geprüft. Die Vorschau (falls einige scheitern würden) oder Fortschritt und Ergebnis folgen als neue Nachricht.`,
  messageTooLong: (n, max) => `Diese Nachricht hat ${n} Zeichen; ich lese höchstens ${max}. Schicken Sie lange Benutzerlisten in Teilen.`,
  filterTooLong: (n, max) => `Dieser Filter hat ${n} Zeichen; ein Filter hat höchstens ${max}. Es wurde nichts geändert.`,
  notOfferedHere: 'License Desk bietet das hier nicht an. Schreiben Sie „hilfe“ in Ihren Chat mit License Desk, um zu sehen, was es kann.',
};

/** Was eine Abhängigkeit braucht: „MCOEV (in Teams Phone Standard)“, „X oder Y“, „eines von A, B“. */
function requirement(p: Record<string, ErrorParam>): string {
  if (p.anyOfProducts) return `eines von ${joined(p.anyOfProducts, ', ')}`;
  const plans = joined(p.anyOfPlans, ' oder ');
  return Array.isArray(p.inProducts) && p.inProducts.length ? `${plans} (in ${joined(p.inProducts, ' oder ')})` : plans;
}

export const whyNotAssignable: Record<NotAssignableWhy, string> = {
  appliesToCompany: 'gilt für das ganze Unternehmen',
  suspended: 'Abonnement gesperrt',
  lockedOut: 'Abonnement blockiert',
  deleted: 'Abonnement gelöscht',
};

export const errors: ErrorTexts = {
  countViolation: (p) => ({
    reason: `Nicht genug Lizenzen für ${p.product}: ${p.available} verfügbar, ${p.needed} benötigt.`,
    fix: `Kaufen Sie mehr ${p.product}-Lizenzen oder entziehen Sie ${p.product} Benutzern, die es nicht mehr brauchen.`,
  }),
  usageLocationMissing: () => ({
    reason: 'Der Benutzer hat keinen Nutzungsstandort, daher kann keine Lizenz zugewiesen werden.',
    fix: 'Legen Sie den Nutzungsstandort (Land) des Benutzers im Microsoft 365 Admin Center fest und wiederholen Sie den Vorgang.',
  }),
  prohibitedInUsageLocation: (p) => ({
    reason: `${p.product} wird am Nutzungsstandort des Benutzers (${p.usageLocation}) nicht angeboten.`,
    fix: `Weisen Sie ${p.product} nur Benutzern mit Nutzungsstandort ${joined(p.allowed, ', ')} zu, oder korrigieren Sie den Nutzungsstandort.`,
  }),
  mutuallyExclusiveViolation: (p) => ({
    reason: `Die Servicepläne ${p.planA} (${p.productA}) und ${p.planB} (${p.productB}) können nicht gleichzeitig aktiv sein.`,
    fix: `Schalten Sie ${p.planB} in ${p.productB} aus (Servicepläne anzeigen) oder entziehen Sie ${p.productB}.`,
  }),
  dependencyViolation: (p) =>
    p.direction === 'needs'
      ? { reason: `${p.product} benötigt ${requirement(p)}, das der Benutzer nicht hat.`, fix: `Weisen Sie zuerst oder gleichzeitig ${requirement(p)} zu.` }
      : { reason: `${p.dependent} hängt noch von ${requirement(p)} ab, das diese Änderung entzieht.`, fix: `Entziehen Sie zuerst oder gleichzeitig ${p.dependent}.` },
  unknownSku: (p) => ({ reason: `Der Kunde hat kein Produkt mit der ID ${p.skuId}.`, fix: 'Wählen Sie ein Produkt aus der Liste des Kunden („lizenzen“).' }),
  notAssignable: (p) => ({
    reason: `${p.product} kann Benutzern nicht zugewiesen werden (${whyNotAssignable[p.why as NotAssignableWhy] ?? p.why}).`,
    fix: p.why === 'appliesToCompany' ? `${p.product} gilt für den ganzen Mandanten; es gibt nichts zuzuweisen.` : `Verlängern oder reaktivieren Sie das Abonnement für ${p.product}.`,
  }),
  invalidDisabledPlans: (p) => ({ reason: `Der Serviceplan ${p.plan} gehört nicht zu ${p.product}.`, fix: `Wählen Sie nur Servicepläne von ${p.product} zum Ausschalten.` }),
  userNotFound: (p) => ({ reason: `Kein Benutzer mit der ID ${p.userId} bei diesem Kunden.`, fix: 'Wählen Sie den Benutzer erneut aus der Liste; er wurde vielleicht gelöscht.' }),
  concurrentChange: () => ({
    reason: 'Die Lizenzen des Benutzers wurden während des Speicherns von jemand anderem geändert.',
    fix: 'Wiederholen Sie die fehlgeschlagenen Benutzer; der neue Stand wird erneut geprüft.',
  }),
  inheritedFromGroup: (p) => ({
    reason: `${p.product} erhält dieser Benutzer über eine Gruppe${joined(p.groups, ', ') ? ` (${joined(p.groups, ', ')})` : ''}; es kann ihm nicht direkt entzogen werden.`,
    fix: `Entfernen Sie den Benutzer aus dieser Gruppe oder ${p.product} aus der Gruppe (Microsoft 365 Admin Center oder Entra ID).`,
  }),
  permissionMissing: () => ({
    reason: 'Die App von License Desk darf im Mandanten dieses Kunden keine Lizenzen ändern.',
    fix: 'Erteilen Sie der App LicenseAssignment.ReadWrite.All mit Administratorzustimmung oder über GDAP die Rolle „Lizenzadministrator“.',
  }),
  other: (p) => ({
    reason: `Microsoft 365 hat diese Änderung abgelehnt: ${p.message}`,
    fix: 'Beheben Sie, was Microsoft 365 für diesen Benutzer nennt, im Admin Center und wiederholen Sie dann die fehlgeschlagenen Benutzer.',
  }),
};

export const requestProblems: Record<RequestProblem, (p: Record<string, string | number>) => string> = {
  noSuchCustomer: (p) => `Kein Kunde „${p.customerKey}“.`,
  noSuchOperation: (p) => `Keine Lizenzänderung ${p.operationId}.`,
  invalidChange: (p) => `Die Lizenzänderung ist ungültig: ${p.details}`,
  tooManyUsers: (p) => `Höchstens ${p.max} Benutzer pro Änderung; teilen Sie sie auf.`,
  nothingToRemove: () => 'Nichts zu entziehen: nennen Sie mindestens ein Produkt.',
  nothingToChange: () => 'Nichts zu ändern: nennen Sie mindestens ein Produkt.',
  assignedAndRemoved: (p) => `Das Produkt ${p.skuId} wird zugleich zugewiesen und entzogen.`,
};

export const connectionProblems: typeof en.connectionProblems = {
  consentMissing: (p) => ({
    missing: `Die App von License Desk hat in diesem Mandanten keine Zustimmung (${p.tenantId}${p.aadsts ? `, AADSTS${p.aadsts}` : ''}).`,
    fix: 'Ein globaler Administrator des Kunden erteilt der App die Administratorzustimmung (Link in der README), oder der Kunde wird über eine GDAP-Beziehung mit der Rolle „Lizenzadministrator“ erreicht.',
  }),
  gdapRelationshipMissing: (p) => ({
    missing: `Der Partner hat mit diesem Kunden (${p.tenantId}) keine aktive GDAP-Beziehung, oder sie ist abgelaufen.`,
    fix: 'Legen Sie die GDAP-Beziehung im Partner Center an oder verlängern Sie sie (Rollen Lizenzadministrator und Benutzeradministrator) und aktualisieren Sie dann.',
  }),
  invalidClientSecret: () => ({
    missing: 'Der geheime Clientschlüssel der App (GRAPH_CLIENT_SECRET) ist falsch oder abgelaufen.',
    fix: 'Erstellen Sie in der App-Registrierung einen neuen geheimen Schlüssel, setzen Sie ihn in GRAPH_CLIENT_SECRET und starten Sie License Desk neu.',
  }),
  invalidClientCertificate: () => ({
    missing: 'Das Zertifikat (GRAPH_CLIENT_CERTIFICATE_PATH) ist nicht das in der App registrierte.',
    fix: 'Laden Sie das Zertifikat in der App-Registrierung hoch (Zertifikate & Geheimnisse) oder verweisen Sie auf das registrierte.',
  }),
  federationFailed: () => ({
    missing: 'Die verwaltete Identität (GRAPH_FEDERATED_IDENTITY_CLIENT_ID) ist keine Verbundanmeldeinformation der App.',
    fix: 'Fügen Sie der App-Registrierung eine Verbundanmeldeinformation für die verwaltete Identität hinzu (Zielgruppe api://AzureADTokenExchange).',
  }),
  tenantNotFound: (p) => ({ missing: `Kein Microsoft 365-Mandant hat die ID ${p.tenantId}.`, fix: 'Korrigieren Sie die tenantId des Kunden in partner.json.' }),
  applicationDisabled: () => ({
    missing: 'Die App von License Desk ist in diesem Mandanten deaktiviert.',
    fix: 'Der Administrator des Kunden aktiviert die App unter Unternehmensanwendungen.',
  }),
  accessBlocked: () => ({
    missing: 'Eine Richtlinie für bedingten Zugriff in diesem Mandanten blockiert die App.',
    fix: 'Der Administrator des Kunden nimmt den Dienstprinzipal der App von der Richtlinie aus.',
  }),
  permissionMissing: () => ({
    missing: 'Der App fehlt in diesem Mandanten eine Microsoft Graph-Berechtigung (User.Read.All, LicenseAssignment.ReadWrite.All).',
    fix: 'Erteilen Sie die fehlenden Anwendungsberechtigungen erneut mit Administratorzustimmung.',
  }),
  tokenRejected: () => ({ missing: 'Microsoft Graph hat das Token von License Desk für diesen Mandanten abgelehnt.', fix: 'Prüfen Sie, ob GRAPH_ENDPOINT zur Cloud des Mandanten passt.' }),
  identityUnavailable: () => ({ missing: 'Die Microsoft Identity Platform war nicht erreichbar.', fix: 'Versuchen Sie es in einigen Minuten erneut; prüfen Sie AZURE_AUTHORITY_HOST und das Netzwerk.' }),
  graphUnavailable: () => ({ missing: 'Microsoft Graph hat für diesen Mandanten nicht geantwortet.', fix: 'Versuchen Sie es in einigen Minuten erneut; nichts wurde geändert.' }),
};

"""The words of synthetic invoices (`tests/bench/synthetic.py`), per language: several wordings of each
label as real invoices print them, month names, legal sentences, item descriptions.

Written independently of the reader's own table of labels (`ingest/documents/reading/labels.tsv`),
which this module must never import or copy: a benchmark sharing the reader's vocabulary would only
measure the reader against itself.
"""

from __future__ import annotations

LANGUAGES = ("fr", "en", "de", "es", "it", "nl")
# French users: most supplier invoices they receive are French.
LANGUAGE_WEIGHTS = (55, 12, 12, 7, 7, 7)

# Labels: each key has several wordings per language, one drawn per invoice.
LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "title": {
        "fr": ("FACTURE", "Facture", "FACTURE"),
        "en": ("INVOICE", "Invoice", "TAX INVOICE"),
        "de": ("RECHNUNG", "Rechnung"),
        "es": ("FACTURA", "Factura"),
        "it": ("FATTURA", "Fattura"),
        "nl": ("FACTUUR", "Factuur"),
    },
    "credit_title": {
        "fr": ("AVOIR", "Avoir", "FACTURE D'AVOIR"),
        "en": ("CREDIT NOTE", "Credit Note"),
        "de": ("GUTSCHRIFT", "Gutschrift", "Rechnungskorrektur"),
        "es": ("FACTURA RECTIFICATIVA", "Nota de crédito", "ABONO"),
        "it": ("NOTA DI CREDITO", "Nota di credito"),
        "nl": ("CREDITNOTA", "Creditfactuur"),
    },
    "number": {
        "fr": ("N° de facture", "Numéro de facture", "Facture n°", "N° facture", "Référence", "Numéro"),
        "en": ("Invoice No.", "Invoice Number", "Invoice #", "Number", "Invoice no", "Reference"),
        "de": ("Rechnungsnummer", "Rechnungs-Nr.", "Rechnung Nr.", "Beleg-Nr.", "Nummer", "Re.-Nr."),
        "es": ("Nº de factura", "Número de factura", "Factura nº", "Nº Factura", "Número"),
        "it": ("Numero fattura", "Fattura n.", "N. documento", "Numero documento", "Fattura N°"),
        "nl": ("Factuurnummer", "Factuur nr.", "Factuurnr.", "Nummer", "Factuur"),
    },
    "credit_number": {
        "fr": ("N° d'avoir", "Avoir n°", "Numéro d'avoir"),
        "en": ("Credit note No.", "Credit Note Number", "Credit #"),
        "de": ("Gutschrift-Nr.", "Gutschriftsnummer", "Beleg-Nr."),
        "es": ("Nº de abono", "Número de rectificativa", "Nº documento"),
        "it": ("Nota di credito n.", "Numero nota", "N. documento"),
        "nl": ("Creditnota nr.", "Creditnotanummer", "Nummer"),
    },
    "date": {
        "fr": ("Date", "Date de facture", "Date de facturation", "Date d'émission", "Date facture", "Émise le"),
        "en": ("Date", "Invoice Date", "Date of issue", "Issue date", "Tax point", "Dated"),
        "de": ("Datum", "Rechnungsdatum", "Belegdatum", "Ausstellungsdatum", "Datum der Rechnung"),
        "es": ("Fecha", "Fecha de factura", "Fecha de emisión", "Fecha factura", "Fecha expedición"),
        "it": ("Data", "Data fattura", "Data documento", "Data emissione", "Del"),
        "nl": ("Datum", "Factuurdatum", "Datum factuur", "Uitgiftedatum"),
    },
    "due": {
        "fr": ("Date d'échéance", "Échéance", "À régler avant le", "Date limite de paiement", "Payable le"),
        "en": ("Due date", "Payment due", "Due", "Pay by"),
        "de": ("Fällig am", "Zahlbar bis", "Fälligkeitsdatum", "Zahlungsziel"),
        "es": ("Vencimiento", "Fecha de vencimiento", "Fecha vto."),
        "it": ("Scadenza", "Data scadenza", "Scadenza pagamento"),
        "nl": ("Vervaldatum", "Te betalen vóór", "Betalen voor"),
    },
    "delivery": {
        "fr": ("Date de livraison", "Livré le", "Date de prestation", "BL du"),
        "en": ("Delivery date", "Delivered", "Service date", "Shipped"),
        "de": ("Lieferdatum", "Leistungsdatum", "Lieferung am", "Leistungszeitraum bis"),
        "es": ("Fecha de entrega", "Albarán del", "Fecha de servicio"),
        "it": ("Data consegna", "DDT del", "Data spedizione"),
        "nl": ("Leverdatum", "Afgeleverd op", "Leveringsdatum"),
    },
    "order": {
        "fr": ("N° de commande", "Votre commande", "Bon de commande", "Réf. commande", "Commande n°"),
        "en": ("PO Number", "Order No.", "Your order", "Purchase order", "Order ref."),
        "de": ("Bestellnummer", "Ihre Bestellung", "Auftrags-Nr.", "Bestell-Nr.", "Lieferschein-Nr."),
        "es": ("Nº pedido", "Su pedido", "Pedido", "Nº albarán"),
        "it": ("Ordine n.", "Vs. ordine", "Rif. ordine", "DDT n."),
        "nl": ("Ordernummer", "Uw bestelling", "Inkoopordernr.", "Bestelnummer"),
    },
    "delivery_note": {
        "fr": ("N° BL", "Bon de livraison n°", "N° de bon de livraison", "BL n°"),
        "en": ("Delivery note No.", "Packing slip", "Delivery No.", "Dispatch note"),
        "de": ("Lieferschein-Nr.", "Lieferscheinnummer", "Lieferschein", "LS-Nr."),
        "es": ("Albarán nº", "Nº albarán", "Nota de entrega"),
        "it": ("DDT n.", "Documento di trasporto", "Bolla n."),
        "nl": ("Pakbonnummer", "Leveringsbon nr.", "Pakbon"),
    },
    "order_date": {
        "fr": ("Date de commande", "Commande du", "Date commande"),
        "en": ("Order date", "Ordered on", "Date ordered"),
        "de": ("Bestelldatum", "Auftragsdatum", "Bestellt am"),
        "es": ("Fecha de pedido", "Fecha pedido"),
        "it": ("Data ordine", "Data dell'ordine"),
        "nl": ("Besteldatum", "Orderdatum"),
    },
    # A period of service or supply: {start} and {end} are dates as printed.
    "period": {
        "fr": ("Période de prestation", "Période facturée", "Période"),
        "en": ("Service period", "Billing period", "Period"),
        "de": ("Leistungszeitraum", "Abrechnungszeitraum", "Leistungszeit"),
        "es": ("Periodo de servicio", "Periodo facturado"),
        "it": ("Periodo di riferimento", "Periodo di competenza"),
        "nl": ("Leveringsperiode", "Periode", "Factuurperiode"),
    },
    # The page number as a header table's column ("Seite | 1 von 2").
    "page_head": {
        "fr": ("Page", "Feuillet"), "en": ("Page", "Sheet"), "de": ("Seite", "Blatt"), "es": ("Página", "Hoja"),
        "it": ("Pagina", "Pag."), "nl": ("Pagina", "Blad"),
    },
    "customer": {
        "fr": ("N° client", "Code client", "Réf. client", "Compte client"),
        "en": ("Customer No.", "Account No.", "Customer ID", "Client ref."),
        "de": ("Kundennummer", "Kunden-Nr.", "Kd.-Nr.", "Debitor"),
        "es": ("Nº cliente", "Código cliente", "Cliente nº"),
        "it": ("Codice cliente", "Cod. cliente", "Cliente n."),
        "nl": ("Klantnummer", "Debiteurnummer", "Klantnr."),
    },
    "vat_id": {
        "fr": ("N° TVA intracommunautaire", "TVA intracom.", "N° TVA", "TVA intracommunautaire", "Numéro de TVA"),
        "en": ("VAT No.", "VAT Reg. No.", "VAT number", "VAT Registration Number", "VAT ID"),
        "de": ("USt-IdNr.", "USt-ID", "UID-Nr.", "Umsatzsteuer-ID", "USt.-Id.-Nr."),
        "es": ("NIF", "CIF", "NIF-IVA", "N.I.F.", "NIF intracomunitario"),
        "it": ("P.IVA", "Partita IVA", "P. IVA", "Part. IVA", "VAT"),
        "nl": ("Btw-nummer", "BTW-nr.", "Btw-id", "BTW nummer", "VAT"),
    },
    "bill_to": {
        "fr": ("Facturé à", "Client", "Adresse de facturation", "Destinataire", "Facturer à"),
        "en": ("Bill to", "Invoice to", "Customer", "Billed to", "To"),
        "de": ("Rechnungsempfänger", "Kunde", "Rechnungsadresse", "An"),
        "es": ("Cliente", "Facturar a", "Datos del cliente", "Destinatario"),
        "it": ("Cliente", "Spett.le", "Destinatario", "Intestatario"),
        "nl": ("Klant", "Factuuradres", "Aan", "Gefactureerd aan"),
    },
    "description": {
        "fr": ("Désignation", "Description", "Libellé", "Article"),
        "en": ("Description", "Item", "Details", "Product"),
        "de": ("Bezeichnung", "Beschreibung", "Artikel", "Leistung"),
        "es": ("Descripción", "Concepto", "Artículo"),
        "it": ("Descrizione", "Articolo", "Prodotto"),
        "nl": ("Omschrijving", "Artikel", "Product"),
    },
    "reference": {
        "fr": ("Réf.", "Code", "Référence"), "en": ("Code", "SKU", "Ref."), "de": ("Art.-Nr.", "Pos.", "Artikelnr."),
        "es": ("Ref.", "Código"), "it": ("Cod.", "Codice"), "nl": ("Art.nr.", "Code"),
    },
    "quantity": {
        "fr": ("Qté", "Quantité", "Qté."), "en": ("Qty", "Quantity", "Units"), "de": ("Menge", "Anz.", "Anzahl"),
        "es": ("Cant.", "Cantidad", "Uds."), "it": ("Q.tà", "Quantità", "Qtà"), "nl": ("Aantal", "Hoeveelheid"),
    },
    "unit_price": {
        "fr": ("Prix unitaire HT", "P.U. HT", "PU HT", "Prix unit."),
        "en": ("Unit price", "Rate", "Price", "Unit cost"),
        "de": ("Einzelpreis", "E-Preis", "Preis/Einheit", "Einzelpreis netto"),
        "es": ("Precio", "Precio unitario", "P. unit."),
        "it": ("Prezzo unitario", "Prezzo", "Pr. unit."),
        "nl": ("Prijs", "Stukprijs", "Prijs per eenheid"),
    },
    "rate": {
        "fr": ("TVA", "Taux TVA", "TVA %"), "en": ("VAT", "VAT %", "Tax rate"), "de": ("MwSt.", "USt. %", "Steuer"),
        "es": ("IVA", "% IVA"), "it": ("IVA", "Aliq.", "% IVA"), "nl": ("Btw", "Btw %", "BTW"),
    },
    "amount": {
        "fr": ("Montant HT", "Total HT", "Montant", "Prix total HT"),
        "en": ("Amount", "Total", "Line total", "Net"),
        "de": ("Gesamtpreis", "Betrag", "Gesamt", "Summe"),
        "es": ("Importe", "Total", "Importe neto"),
        "it": ("Importo", "Totale", "Imponibile"),
        "nl": ("Bedrag", "Totaal", "Bedrag excl."),
    },
    "excl": {
        "fr": ("Total HT", "Montant HT", "Total hors taxes", "Sous-total HT", "Total H.T.", "Base HT"),
        "en": ("Subtotal", "Net amount", "Total excl. VAT", "Net total", "Total net", "Sub-total"),
        "de": ("Nettobetrag", "Summe netto", "Zwischensumme", "Gesamt netto", "Warenwert", "Netto"),
        "es": ("Base imponible", "Subtotal", "Importe neto", "Total sin IVA", "Base"),
        "it": ("Imponibile", "Totale imponibile", "Totale netto", "Imponibile totale"),
        "nl": ("Subtotaal", "Totaal excl. btw", "Netto bedrag", "Totaal exclusief BTW"),
    },
    "tax": {
        "fr": ("TVA", "Total TVA", "Montant TVA", "Montant de la TVA"),
        "en": ("VAT", "Total VAT", "VAT amount", "Tax"),
        "de": ("MwSt.", "USt.", "Umsatzsteuer", "Mehrwertsteuer", "Summe MwSt."),
        "es": ("IVA", "Cuota IVA", "Total IVA", "Cuota"),
        "it": ("IVA", "Totale IVA", "Imposta", "Importo IVA"),
        "nl": ("BTW", "Btw-bedrag", "Totaal btw", "Btw"),
    },
    # A VAT line of one rate; {rate} is the rate as printed.
    "tax_at": {
        "fr": ("TVA {rate} %", "TVA à {rate} %", "TVA {rate}%"),
        "en": ("VAT {rate}%", "VAT @ {rate}%", "VAT at {rate}%"),
        "de": ("MwSt. {rate} %", "zzgl. {rate} % MwSt.", "USt. {rate}%", "{rate} % Umsatzsteuer"),
        "es": ("IVA {rate}%", "IVA {rate} %", "Cuota IVA {rate}%"),
        "it": ("IVA {rate}%", "IVA al {rate}%", "Imposta {rate}%"),
        "nl": ("Btw {rate}%", "BTW {rate}%", "{rate}% btw"),
    },
    "incl": {
        "fr": ("Total TTC", "Net à payer", "Montant TTC", "Total à payer", "Total T.T.C.", "Montant total TTC"),
        "en": ("Total", "Total due", "Amount due", "Total incl. VAT", "Invoice total", "TOTAL"),
        "de": ("Gesamtbetrag", "Rechnungsbetrag", "Bruttobetrag", "Summe brutto", "Endbetrag", "Gesamtsumme"),
        "es": ("Total factura", "Total", "Importe total", "Total a pagar", "TOTAL"),
        "it": ("Totale fattura", "Totale documento", "Totale da pagare", "Totale", "TOTALE"),
        "nl": ("Totaal", "Totaal incl. btw", "Te betalen", "Totaalbedrag", "TOTAAL"),
    },
    "deposit": {
        "fr": ("Acompte versé",), "en": ("Paid on account",), "de": ("Abzüglich Anzahlung",),
        "es": ("Anticipo recibido",), "it": ("Acconto versato",), "nl": ("Reeds betaald",),
    },
    "balance": {
        "fr": ("Reste à payer", "Solde dû"), "en": ("Balance due",), "de": ("Restbetrag", "Noch zu zahlen"),
        "es": ("Pendiente de pago",), "it": ("Saldo da pagare",), "nl": ("Openstaand saldo",),
    },
    "currency": {
        "fr": ("Devise", "Monnaie"), "en": ("Currency",), "de": ("Währung",), "es": ("Moneda", "Divisa"),
        "it": ("Valuta", "Divisa"), "nl": ("Valuta",),
    },
    "base": {
        "fr": ("Base HT", "Base"), "en": ("Net", "Taxable"), "de": ("Netto", "Basis"), "es": ("Base",),
        "it": ("Imponibile",), "nl": ("Grondslag", "Netto"),
    },
    "page": {
        "fr": ("Page {n}/{total}", "Page {n} sur {total}"), "en": ("Page {n} of {total}", "Page {n}/{total}"),
        "de": ("Seite {n} von {total}", "Seite {n}/{total}"), "es": ("Página {n} de {total}",),
        "it": ("Pagina {n} di {total}", "Pag. {n}/{total}"), "nl": ("Pagina {n} van {total}",),
    },
    "phone": {
        "fr": ("Tél. :", "Tél", "Téléphone :"), "en": ("Tel:", "Phone:", "T:"), "de": ("Tel.", "Telefon:", "Fon"),
        "es": ("Tel.:", "Teléfono:"), "it": ("Tel.", "Telefono:"), "nl": ("Tel.:", "Telefoon:", "T"),
    },
    "company_id": {
        "fr": ("SIREN", "RCS"), "en": ("Company No.", "Registered in England No."), "de": ("HRB", "Amtsgericht"),
        "es": ("Registro Mercantil",), "it": ("REA", "C.F."), "nl": ("KvK", "KvK-nummer"),
    },
    "iban": {
        "fr": ("IBAN :", "IBAN", "RIB / IBAN :"), "en": ("IBAN:", "IBAN"), "de": ("IBAN:", "IBAN"),
        "es": ("IBAN:", "Cuenta IBAN:"), "it": ("IBAN:", "Coordinate bancarie IBAN"), "nl": ("IBAN:", "IBAN"),
    },
}

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
           "ottobre", "novembre", "dicembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
}

# A date written as a place and a day, without a label ("Lyon, le 5 mars 2024").
PLACE_DATE = {"fr": "{city}, le {date}", "en": "{city}, {date}", "de": "{city}, {date}", "es": "{city}, {date}",
              "it": "{city}, {date}", "nl": "{city}, {date}"}
# Where an invoice's title carries its number: "{title} {number}" or with a word between.
TITLE_NUMBER = {"fr": ("{title} N° {number}", "{title} n° {number}", "{title} {number}"),
                "en": ("{title} {number}", "{title} #{number}", "{title} No. {number}"),
                "de": ("{title} Nr. {number}", "{title} {number}"),
                "es": ("{title} Nº {number}", "{title} {number}", "{title} n.º {number}"),
                "it": ("{title} N. {number}", "{title} n. {number}", "{title} {number}"),
                "nl": ("{title} {number}", "{title} nr. {number}")}
# A period from one day to another, as invoices write it ("01.03.2024 – 31.03.2024").
PERIOD = {"fr": ("du {start} au {end}", "{start} - {end}"), "en": ("{start} - {end}", "{start} to {end}"),
          "de": ("{start} - {end}", "{start} bis {end}", "vom {start} bis {end}"), "es": ("del {start} al {end}",),
          "it": ("dal {start} al {end}", "{start} - {end}"), "nl": ("{start} t/m {end}", "{start} - {end}")}
TITLE_NUMBER_DATE = {"fr": " du {date}", "en": " dated {date}", "de": " vom {date}", "es": " de fecha {date}",
                     "it": " del {date}", "nl": " van {date}"}

CITIES = {
    "FR": (("Lyon", "69003"), ("Paris", "75011"), ("Nantes", "44000"), ("Lille", "59000"), ("Bordeaux", "33000"),
           ("Toulouse", "31000"), ("Rennes", "35000"), ("Strasbourg", "67000"), ("Grenoble", "38000"),
           ("Épinal", "88000"), ("Angers", "49100"), ("Marseille", "13002")),
    "BE": (("Bruxelles", "1000"), ("Liège", "4000"), ("Namur", "5000"), ("Gent", "9000"), ("Antwerpen", "2000")),
    "DE": (("München", "80331"), ("Berlin", "10115"), ("Hamburg", "20095"), ("Köln", "50667"),
           ("Stuttgart", "70173"), ("Leipzig", "04109")),
    "AT": (("Wien", "1010"), ("Graz", "8010"), ("Linz", "4020")),
    "GB": (("London", "EC1A 1BB"), ("Manchester", "M1 1AE"), ("Leeds", "LS1 4AP"), ("Bristol", "BS1 4DJ")),
    "ES": (("Madrid", "28013"), ("Barcelona", "08002"), ("Valencia", "46002"), ("Sevilla", "41001")),
    "IT": (("Milano", "20121"), ("Roma", "00184"), ("Torino", "10121"), ("Bologna", "40121")),
    "NL": (("Amsterdam", "1012 AB"), ("Rotterdam", "3011 AD"), ("Utrecht", "3511 LX"), ("Eindhoven", "5611 AZ")),
}
STREETS = {
    "fr": ("{n} rue des Tanneurs", "{n} avenue Jean Jaurès", "{n} boulevard Voltaire", "ZI des Perrières, {n} allée B",
           "{n} chemin du Moulin", "{n} place de la République"),
    "en": ("{n} High Street", "Unit {n}, Riverside Park", "{n} Station Road", "{n} King's Road"),
    "de": ("Hauptstraße {n}", "Industriestr. {n}", "Am Mühlbach {n}", "Gewerbepark {n}"),
    "es": ("Calle Mayor, {n}", "Avda. de la Constitución {n}", "Polígono Industrial Norte, nave {n}"),
    "it": ("Via Roma {n}", "Corso Garibaldi {n}", "Viale dell'Industria {n}"),
    "nl": ("Kerkstraat {n}", "Industrieweg {n}", "Stationsplein {n}"),
}
COMPANY_WORDS = {
    "fr": (("Menuiserie", "Transports", "Imprimerie", "Boulangerie", "Atelier", "Électricité", "Conseil",
            "Plomberie", "Informatique", "Fournitures"),
           ("Dupont", "Martin", "du Rhône", "Lefèvre", "des Alpes", "Bernard", "Garnier", "Morel"),
           ("SAS", "SARL", "SA", "EURL", "SASU", "& Fils")),
    "en": (("Acme", "Northwind", "Bluebird", "Harbour", "Oakfield", "Redline", "Summit"),
           ("Supplies", "Logistics", "Consulting", "Print", "Systems", "Engineering"),
           ("Ltd", "Limited", "LLP", "plc")),
    "de": (("Müller", "Schneider", "Becker", "Hoffmann", "Weber", "Nord", "Alpen"),
           ("Bürotechnik", "Logistik", "Maschinenbau", "Druckerei", "IT-Service", "Elektro"),
           ("GmbH", "AG", "KG", "e.K.")),
    "es": (("Suministros", "Transportes", "Gráficas", "Construcciones", "Servicios"),
           ("García", "Levante", "Ibérica", "Martínez", "del Sur"), ("S.L.", "S.A.", "SL", "S.L.U.")),
    "it": (("Forniture", "Trasporti", "Tipografia", "Impianti", "Servizi"),
           ("Rossi", "Bianchi", "Lombarda", "del Nord", "Ferrari"), ("S.r.l.", "S.p.A.", "srl", "S.n.c.")),
    "nl": (("Bakker", "de Vries", "Jansen", "Visser", "Holland"),
           ("Logistiek", "Techniek", "Drukwerk", "Installatie", "Advies"), ("B.V.", "BV", "N.V.", "V.O.F.")),
}
# Item descriptions per language: (description, unit price range in the currency, hours-like quantity).
ITEMS = {
    "fr": (("Prestation de conseil", 400, 1200, True), ("Main d'œuvre technicien", 35, 75, True),
           ("Fourniture câble électrique 3G2,5 (couronne 100 m)", 60, 140, False),
           ("Abonnement mensuel logiciel", 15, 300, False), ("Frais de port", 5, 45, False),
           ("Location nacelle (journée)", 120, 380, False), ("Ramette papier A4 80 g", 3, 9, False),
           ("Développement spécifique", 450, 800, True), ("Maintenance annuelle", 250, 2400, False),
           ("Cartouche d'encre noire", 19, 89, False), ("Déplacement forfaitaire", 30, 90, False),
           ("Repas séminaire (par personne)", 18, 45, False), ("Formation Excel niveau 2", 350, 900, False)),
    "en": (("Consulting services", 500, 1500, True), ("Technician labour", 40, 90, True),
           ("Shipping and handling", 5, 40, False), ("Annual software licence", 200, 3000, False),
           ("Printer toner cartridge", 30, 120, False), ("Cloud hosting - monthly plan", 20, 400, False),
           ("Office chair, ergonomic", 150, 450, False), ("Project management", 60, 120, True)),
    "de": (("Beratungsleistung", 90, 180, True), ("Montagearbeiten", 45, 85, True), ("Versandkosten", 5, 30, False),
           ("Druckerpapier A4, 500 Blatt", 4, 8, False), ("Wartungsvertrag (jährlich)", 300, 2500, False),
           ("Schrauben M8 x 40, verzinkt (100 St.)", 6, 25, False), ("Softwarelizenz", 100, 1500, False),
           ("Anfahrtspauschale", 25, 80, False)),
    "es": (("Servicios de consultoría", 300, 1200, True), ("Mano de obra", 25, 60, True),
           ("Gastos de envío", 4, 30, False), ("Material de oficina", 10, 200, False),
           ("Mantenimiento mensual", 80, 600, False), ("Alquiler de maquinaria", 100, 400, False)),
    "it": (("Consulenza tecnica", 300, 1000, True), ("Manodopera", 25, 60, True), ("Spese di trasporto", 5, 40, False),
           ("Materiale di consumo", 10, 200, False), ("Canone di assistenza", 100, 900, False),
           ("Noleggio attrezzatura", 80, 350, False)),
    "nl": (("Advieswerkzaamheden", 80, 150, True), ("Arbeidsloon monteur", 40, 75, True),
           ("Verzendkosten", 5, 25, False), ("Kantoorartikelen", 8, 150, False),
           ("Onderhoudscontract (jaar)", 250, 1800, False), ("Huur steiger per week", 90, 300, False)),
}

# Small print per seller's country: {name}, {form}, {siren}, {siren_spaced}, {siret}, {vat_printed}, {city},
# {postcode}, {street}, {capital}, {ape}, {register}, {manager}, {tax_number}, {enterprise} are filled in.
LEGAL = {
    "FR": ("{name} – {form} au capital de {capital} € – RCS {city} {siren_spaced} – SIRET {siret} – APE {ape}",
           "Siège social : {street}, {postcode} {city} – SIREN {siren} – N° TVA {vat_printed}",
           "{form} au capital de {capital} euros · RCS {city} B {siren_spaced} · Code NAF {ape}"),
    "BE": ("RPM {city} – Numéro d'entreprise {enterprise} – {street}, {postcode} {city}",
           "RPR {city} · Ondernemingsnummer {enterprise}"),
    "GB": ("Registered in England and Wales No. {register}. Registered office: {street}, {city} {postcode}.",
           "{name} is a company registered in England and Wales, company number {register}."),
    "DE": ("Geschäftsführer: {manager} · Amtsgericht {city} HRB {register} · Steuernummer {tax_number}",
           "Sitz der Gesellschaft: {city} · Registergericht {city} HRB {register}"),
    "AT": ("Firmenbuch FN {register}a · Handelsgericht {city} · Geschäftsführer: {manager}",),
    "ES": ("Inscrita en el Registro Mercantil de {city}, Tomo {register}, Folio 56, Hoja M-{tax_number}",
           "{name} – Registro Mercantil de {city}, tomo {register}"),
    "IT": ("Cap. Soc. € {capital} i.v. – R.E.A. {register} – Registro Imprese di {city}",
           "Capitale sociale {capital} euro interamente versato – REA n. {register}"),
    "NL": ("KvK {register} · Statutair gevestigd te {city}", "Handelsregister KvK {city} nr. {register}"),
}
MANAGERS = ("Thomas Weber", "Anna Schmidt", "Jürgen Koch", "Claudia Wagner")
PAYMENT = {
    "fr": ("En cas de retard de paiement, une pénalité égale à trois fois le taux d'intérêt légal sera exigible, "
           "ainsi qu'une indemnité forfaitaire pour frais de recouvrement de 40 €. Pas d'escompte pour paiement "
           "anticipé.",
           "Conditions de règlement : 30 jours fin de mois. Tout retard entraîne des pénalités au taux de 10 % "
           "et une indemnité de 40 euros (art. L441-10 du Code de commerce).",
           "Paiement à réception par virement. Escompte pour paiement anticipé : néant."),
    "en": ("Payment terms: 30 days net. Late payments are subject to interest at 8% above the base rate.",
           "Please pay within 14 days quoting the invoice number. Thank you for your business."),
    "de": ("Zahlbar innerhalb von 14 Tagen ohne Abzug. Bei Zahlung innerhalb von 7 Tagen gewähren wir 2 % Skonto.",
           "Bitte überweisen Sie den Betrag unter Angabe der Rechnungsnummer innerhalb von 30 Tagen."),
    "es": ("Forma de pago: transferencia bancaria a 30 días.", "Pago mediante recibo domiciliado a 60 días."),
    "it": ("Pagamento: bonifico bancario 30 gg d.f.f.m.", "Modalità di pagamento: RiBa 60 giorni data fattura."),
    "nl": ("Wij verzoeken u vriendelijk het bedrag binnen 30 dagen over te maken onder vermelding van het "
           "factuurnummer.", "Betaling binnen 14 dagen na factuurdatum."),
}
REVERSE_CHARGE = {
    "fr": "Autoliquidation – TVA due par le preneur (art. 283-2 du CGI)",
    "en": "Reverse charge: VAT to be accounted for by the customer (Art. 196 Directive 2006/112/EC)",
    "de": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, Art. 196 MwStSystRL)",
    "es": "Inversión del sujeto pasivo – Operación exenta (art. 25 Ley 37/1992)",
    "it": "Operazione non imponibile – inversione contabile (art. 7-ter DPR 633/72)",
    "nl": "Btw verlegd naar de afnemer (art. 196 Btw-richtlijn)",
}
# French small businesses under the VAT threshold must say so instead of charging VAT.
FRANCHISE = "TVA non applicable, art. 293 B du CGI"
CREDIT_REFERENCE = {"fr": "Avoir sur facture n° {number} du {date}", "en": "Credit for invoice {number} of {date}",
                    "de": "Gutschrift zu Rechnung {number} vom {date}", "es": "Rectifica la factura {number} de {date}",
                    "it": "Storno fattura n. {number} del {date}", "nl": "Creditering van factuur {number} d.d. {date}"}
THANKS = {"fr": "Merci de votre confiance.", "en": "Thank you for your business!",
          "de": "Vielen Dank für Ihren Auftrag.",
          "es": "Gracias por su confianza.", "it": "Grazie per averci scelto.", "nl": "Bedankt voor uw opdracht."}

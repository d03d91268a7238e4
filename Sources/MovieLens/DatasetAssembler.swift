import Runtime

/// Turns the parsed files into a `Dataset`: assigns dense indices, drops ratings and tags that
/// reference unknown ids, removes duplicate ratings, and updates the reports accordingly.
struct DatasetAssembler {
    var layout: ReleaseLayout
    var threads: Int

    /// Inputs are in file order; `users`/`movies` are nil when the release has no such file.
    func assemble(ratings: inout RawRatings, ratingsReport: inout FileReport,
                  movies: RawMovies?, users: RawUsers?,
                  tags: RawTags?, links: RawLinks?,
                  genreNames: [String]) -> Dataset {
        // Users: users.dat when present; otherwise everyone who rated or tagged.
        let userIds: [Int64] = users.map { IdIndex.sortedUnique([$0.ids]) }
            ?? IdIndex.sortedUnique([ratings.user, tags?.user ?? []], threads: threads)
        // Movies: the movies file when present; otherwise every rated or tagged movie.
        let movieIds: [Int64] = movies.map { IdIndex.sortedUnique([$0.ids]) }
            ?? IdIndex.sortedUnique([ratings.movie, tags?.movie ?? []], threads: threads)
        let userIndex = IdIndex(sortedIds: userIds)
        let movieIndex = IdIndex(sortedIds: movieIds)

        // Ratings → dense indices (parallel), then drop unknown ids and duplicates.
        let n = ratings.count
        // The raw id columns become the dense index columns, in place (no second allocation).
        var ru = ratings.user, rm = ratings.movie
        ratings.user = []
        ratings.movie = []
        // Each block also notes whether it met an unknown id, so the serial pass that records
        // drops runs only when there is something to record.
        let blocks = splitRange(n, parts: max(1, min(threads * 4, n >> 16)))
        var unknownIn = [Bool](repeating: false, count: blocks.count)
        ru.withUnsafeMutableBufferPointer { ub in
            rm.withUnsafeMutableBufferPointer { mb in
                unknownIn.withUnsafeMutableBufferPointer { flags in
                    let us = UnsafeSendable(ub), ms = UnsafeSendable(mb), fs = UnsafeSendable(flags)
                    parallelFor(chunks: blocks.count, threads: threads) { b in
                        var smallest: Int32 = 0
                        for i in blocks[b] {
                            let u = userIndex.index(us.value[i]), m = movieIndex.index(ms.value[i])
                            us.value[i] = u
                            ms.value[i] = m
                            smallest = min(smallest, u, m)
                        }
                        fs.value[b] = smallest < 0
                    }
                }
            }
        }
        var dropped = 0
        ru.withUnsafeMutableBufferPointer { ru in
            rm.withUnsafeBufferPointer { rm in
                for b in blocks.indices where unknownIn[b] {
                    for i in blocks[b] where ru[i] < 0 || rm[i] < 0 {
                        ratingsReport.kept -= 1
                        ratingsReport.drop(ru[i] < 0 ? .unknownUser : .unknownMovie, line: ratings.line(ofRow: i))
                        ru[i] = -1
                        dropped += 1
                    }
                }
            }
        }
        let duplicates = DuplicateRatings.find(user: ru, movie: rm, time: ratings.time,
                                               userCount: userIds.count, movieCount: movieIds.count, threads: threads)
        for i in duplicates {
            ratingsReport.kept -= 1
            ratingsReport.drop(.duplicatePair, line: ratings.line(ofRow: i))
            ru[i] = -1
            dropped += 1
        }
        for (k, v) in ratingsReport.examples { ratingsReport.examples[k] = v.sorted() }

        // Compact in place (rows marked ru = -1 go); nothing moves when nothing was dropped.
        var outValue = ratings.value, outTime = ratings.time
        ratings = RawRatings()
        if dropped > 0 {
            var w = 0
            ru.withUnsafeMutableBufferPointer { u in
                rm.withUnsafeMutableBufferPointer { m in
                    outValue.withUnsafeMutableBufferPointer { v in
                        outTime.withUnsafeMutableBufferPointer { t in
                            for i in 0..<n where u[i] >= 0 {
                                u[w] = u[i]; m[w] = m[i]; v[w] = v[i]; t[w] = t[i]
                                w += 1
                            }
                        }
                    }
                }
            }
            ru.removeLast(n - w); rm.removeLast(n - w); outValue.removeLast(n - w); outTime.removeLast(n - w)
        }
        let outUser = ru, outMovie = rm

        // Movies in id order.
        var titles = [String](repeating: "", count: movieIds.count)
        var years = [Int16](repeating: 0, count: movieIds.count)
        var genres = [UInt32](repeating: 0, count: movieIds.count)
        if let movies {
            for k in 0..<movies.ids.count {
                let m = Int(movieIndex.index(movies.ids[k]))
                titles[m] = movies.titles[k]; years[m] = movies.years[k]; genres[m] = movies.genres[k]
            }
        }
        // Users in id order.
        var gender: [UInt8] = [], age: [Int16] = [], occupation: [Int16] = [], zip: [String] = []
        if let users {
            gender = [UInt8](repeating: 0, count: userIds.count)
            age = [Int16](repeating: -1, count: userIds.count)
            occupation = [Int16](repeating: -1, count: userIds.count)
            zip = [String](repeating: "", count: userIds.count)
            for k in 0..<users.ids.count {
                let u = Int(userIndex.index(users.ids[k]))
                gender[u] = users.gender[k]; age[u] = users.age[k]; occupation[u] = users.occupation[k]; zip[u] = users.zip[k]
            }
        }
        // Tags and links were checked against the known ids while parsing.
        var tagUser: [Int32] = [], tagMovie: [Int32] = [], tagText: [String] = [], tagTime: [Int64] = []
        if let tags {
            tagUser = tags.user.map { userIndex.index($0) }
            tagMovie = tags.movie.map { movieIndex.index($0) }
            tagText = tags.text
            tagTime = tags.time
        }
        var imdb: [Int64] = [], tmdb: [Int64] = []
        if let links {
            imdb = [Int64](repeating: -1, count: movieIds.count)
            tmdb = [Int64](repeating: -1, count: movieIds.count)
            for k in 0..<links.movie.count {
                let m = movieIndex.index(links.movie[k])
                guard m >= 0 else { continue }
                imdb[Int(m)] = links.imdb[k]; tmdb[Int(m)] = links.tmdb[k]
            }
        }
        return Dataset(format: layout.format, userIds: userIds, movieIds: movieIds,
                       ratingUser: Column(outUser), ratingMovie: Column(outMovie), ratingValue: Column(outValue), ratingTime: Column(outTime),
                       titles: titles, years: years, genres: genres, genreNames: genreNames,
                       userGender: gender, userAge: age, userOccupation: occupation, userZip: zip,
                       tagUser: tagUser, tagMovie: tagMovie, tagText: tagText, tagTime: tagTime,
                       imdbIds: imdb, tmdbIds: tmdb)
    }
}

